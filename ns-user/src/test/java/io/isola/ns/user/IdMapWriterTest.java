package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.IdMapping;
import io.isola.spi.support.HostIdentity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runc's CVE-2025-52881 against the id maps: a file bound on the child's {@code uid_map}, {@code
 * gid_map} and {@code setgroups} in the runtime's mount namespace (a container with a shared bind
 * of the host's /proc could make one) must not take the writes; the child's own files get them.
 */
class IdMapWriterTest {

    @TempDir
    Path tmp;

    @Test
    void filesBoundOnTheChildsMapsDoNotTakeTheWrites() throws Exception {
        assumeTrue(HostIdentity.current().isRoot(), "binds on /proc need root");
        // a process in a user namespace of its own, its maps unwritten, as a cloned child at its checkpoint
        Process child = new ProcessBuilder("unshare", "--user", "sh", "-c", "echo ready; exec sleep 60").start();
        List<Path> bound = new ArrayList<>();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            Path dir = Path.of("/proc", Long.toString(child.pid()));
            for (String name : List.of("uid_map", "gid_map", "setgroups")) {
                Path fake = Files.writeString(tmp.resolve(name), "untouched\n");
                run("mount", "--bind", fake.toString(), dir.resolve(name).toString());
                bound.add(dir.resolve(name));
            }
            List<IdMapping> map = List.of(new IdMapping(0, UserNamespaceTest.BASE, 1));

            new IdMapWriter(new IdMapWriter.Helpers(null, null))
                    .write(new MapPlan(map, map, MapPlan.Writer.SELF), child::pid);

            for (String name : List.of("uid_map", "gid_map", "setgroups")) {
                assertEquals("untouched\n", Files.readString(tmp.resolve(name)), name + ": the bound file was written");
            }
            unmount(bound);
            String expected = "0 " + UserNamespaceTest.BASE + " 1";
            assertEquals(
                    expected, Files.readString(dir.resolve("uid_map")).trim().replaceAll(" +", " "));
            assertEquals(
                    expected, Files.readString(dir.resolve("gid_map")).trim().replaceAll(" +", " "));
            assertEquals("deny", Files.readString(dir.resolve("setgroups")).trim());
        } finally {
            unmount(bound);
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void unmount(List<Path> bound) throws IOException, InterruptedException {
        for (Path path : bound) {
            new ProcessBuilder("umount", "-l", path.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
        bound.clear();
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
