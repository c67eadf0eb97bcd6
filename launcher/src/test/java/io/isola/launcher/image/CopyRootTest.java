package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.lifecycle.SavedRoot;
import io.isola.lifecycle.SavedSpec;
import io.isola.testing.HostCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cp into a running container writes below its process's root. A container given a shared bind of
 * the host's /proc can mount a directory on the plain /proc/PID of its own process, with a copy of
 * its stat file (so the process still looks alive) and a "root" of its choosing, a link to the
 * host's / in an attack: the copy must still go to the process's real root.
 */
class CopyRootTest {

    @Test
    void aRootMountedOnTheContainersPlainProcDirectoryIsNotWhereTheCopyGoes(@TempDir Path rootfs) throws Exception {
        Process container = new ProcessBuilder("sleep", "60").start();
        Path proc = Path.of("/proc", Long.toString(container.pid()));
        ContainerState state = new ContainerState(
                ContainerState.OCI_VERSION,
                "copyroot-test",
                ContainerState.Status.RUNNING,
                container.pid(),
                rootfs.toString(),
                Map.of(),
                "now",
                ContainerState.Extra.builder()
                        .startTime(ProcessIdentity.of(container.pid()).startTime())
                        .spec(SavedSpec.builder()
                                .root(new SavedRoot(rootfs.toString(), null, null, null))
                                .build())
                        .build());
        String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
        try {
            HostCommand.run("mount", "-t", "tmpfs", "-o", "size=64k", "isola-attack", proc.toString());
            Files.writeString(proc.resolve("stat"), stat, StandardCharsets.US_ASCII);
            Files.createFile(Files.createDirectory(proc.resolve("root")).resolve("forged"));

            try (CopyRoot root = CopyRoot.container(state);
                    DirectoryFd host = DirectoryFd.openRoot(Path.of("/"))) {
                assertFalse(root.root().list().contains("forged"), "not the directory mounted on the plain /proc");
                assertTrue(root.root().stat().sameFile(host.stat()), "the process's root (the host's, for a sleep)");
            }
        } finally {
            new ProcessBuilder("umount", "-l", proc.toString()).start().waitFor(10, TimeUnit.SECONDS);
            container.destroyForcibly();
            container.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
