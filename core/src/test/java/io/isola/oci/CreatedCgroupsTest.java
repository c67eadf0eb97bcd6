package io.isola.oci;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.CgroupLocation;
import io.isola.spi.support.HostIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCI delete removes the cgroup isola made for a created container, and no other: a container that
 * no cgroup isolator moved stays in the cgroup of the process that cloned it (a thin create's
 * client, in the engine's cgroup), which differs from the server's without being isola's.
 */
class CreatedCgroupsTest {

    private static final String NAME =
            "isola-createdcg-" + ProcessHandle.current().pid();

    @TempDir
    Path stateDir;

    private Path cgroup;
    private Process process;

    /** A process in a cgroup of the test's, as an engine's shim or conmon is in its own. */
    @BeforeEach
    void startInACgroupOfItsOwn() throws Exception {
        assumeTrue(HostIdentity.current().isRoot(), "making cgroups needs root");
        Path mount = CgroupRemoval.cgroupMounts().stream()
                .filter(m -> Files.isWritable(m.resolve("cgroup.procs")))
                .findFirst()
                .orElse(null);
        assumeTrue(mount != null, "no writable cgroup hierarchy");
        cgroup = Files.createDirectory(mount.resolve(NAME));
        process = new ProcessBuilder("sleep", "60").start();
        Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(process.pid()), StandardCharsets.US_ASCII);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (cgroup != null) {
            Files.deleteIfExists(cgroup);
        }
    }

    @Test
    void aCgroupNoIsolatorMadeIsLeftByDelete() throws Exception {
        CreatedCgroups.record(stateDir, process.pid(), null);
        endProcess();

        CreatedCgroups.remove(stateDir);

        assertTrue(Files.isDirectory(cgroup), "the engine's cgroup " + cgroup + " was removed");
    }

    @Test
    void theCgroupTheIsolatorMadeIsRemovedByDelete() throws Exception {
        CreatedCgroups.record(stateDir, process.pid(), new CgroupLocation("cgroupfs", NAME, Map.of()));
        endProcess();

        CreatedCgroups.remove(stateDir);

        assertFalse(Files.exists(cgroup), "the container's cgroup " + cgroup + " is left");
    }

    private void endProcess() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
    }
}
