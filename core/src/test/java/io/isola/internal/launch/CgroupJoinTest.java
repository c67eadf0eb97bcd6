package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.HostProc;
import io.isola.internal.nativ.Syscalls;
import io.isola.testing.BoundProcFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exec's process joins the container's cgroups where they differ from the runtime's own. A file
 * bound on the runtime's plain /proc/PID/cgroup (a container given a shared bind of the host's
 * /proc can mount one) claiming the container's cgroup as the runtime's must not keep the process
 * outside the container's limits.
 */
class CgroupJoinTest {

    @Test
    void aCgroupFileBoundOnTheRuntimesDoesNotKeepTheProcessOutOfTheContainers(@TempDir Path tmp) throws Exception {
        Path self = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "cgroup");
        Map<String, String> ours = CgroupMemberships.parse(Files.readString(self, StandardCharsets.UTF_8));
        String hierarchy = ours.containsKey("pids") ? "pids" : ""; // a v1 hierarchy, else the v2 one
        CgroupMemberships.Mount mount = CgroupMemberships.mountOf(CgroupMemberships.mounts(), hierarchy, "/");
        assertNotNull(mount, "the " + hierarchy + " hierarchy is mounted");
        String path = "/isola-cgroupjoin-" + ProcessHandle.current().pid();
        Path dir = Files.createDirectory(mount.dirOf(path));
        Process container = new ProcessBuilder("sleep", "60").start();
        Process exec = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(container.pid()));
            int proc = HostProc.open();
            CgroupJoin join;
            try {
                join = CgroupJoin.of(container.pid(), proc, Syscalls.linux());
            } finally {
                Fds.closeQuietly(proc);
            }
            String forged = Files.readString(self, StandardCharsets.UTF_8)
                    .lines()
                    .map(line -> line.split(":", 3)[1].equals(hierarchy)
                            ? line.substring(0, line.lastIndexOf(':') + 1) + path
                            : line)
                    .collect(Collectors.joining("\n", "", "\n"));
            try (BoundProcFile bound = BoundProcFile.bind(self, forged, tmp)) {
                join.afterClone(exec::pid);
            }

            assertEquals(
                    path,
                    CgroupMemberships.parse(Files.readString(Path.of("/proc", Long.toString(exec.pid()), "cgroup")))
                            .get(hierarchy),
                    "the exec's process is in the container's cgroup");
        } finally {
            for (Process process : new Process[] {container, exec}) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 50 && Files.exists(dir); i++) {
                try {
                    Files.delete(dir);
                } catch (java.nio.file.FileSystemException e) {
                    Thread.sleep(20); // EBUSY until the kernel has moved the ended processes out
                }
            }
        }
    }
}
