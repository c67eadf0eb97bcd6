package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.UserNamespace;
import io.isola.spi.support.HostIdentity;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Busybox as root inside a user namespace, from a root file system that host root made: the
 * container's copy is shifted to the mapped range after the clone (what the filesystem isolator
 * does for an image), so root inside owns what root owned in the image.
 */
class RootfsOwnershipTest {

    @TempDir
    Path temp;

    @BeforeAll
    static void asRoot() {
        assumeTrue(HostIdentity.current().isRoot(), "only root can give files to the mapped range");
    }

    private Outcome run(Path rootfs, String script) throws Exception {
        try (Isola isola = Isola.builder()
                .isolators(List.of(
                        UserNamespaceTest.userIsolator(Path.of("/proc")), ContainerMain.mount(rootfs.toString())))
                .build()) {
            return Outcome.of(
                    isola,
                    ContainerSpec.builder("sh", "-c", script)
                            .with(UserNamespace.defaultMapping())
                            .build());
        }
    }

    private Path rootfs(String name) throws Exception {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return BusyboxRootfs.create(temp.resolve(name));
    }

    @Test
    void busyboxRunsAsRootOverItsOwnFiles() throws Exception {
        Path rootfs = rootfs("container-copy");
        Outcome outcome = run(
                rootfs,
                "id -u; stat -c '%u %g' / /bin/busybox /bin/sh /image-file; "
                        + "touch /created && echo written > /image-file && stat -c '%u %g' /created");
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertEquals(
                List.of("0", "0 0", "0 0", "0 0", "0 0", "0 0"),
                outcome.out().lines().toList());
        long base = UserNamespaceTest.BASE;
        for (String path : List.of("", "bin/busybox", "created", "image-file")) {
            assertEquals(
                    (int) base, Files.getAttribute(rootfs.resolve(path), "unix:uid", LinkOption.NOFOLLOW_LINKS), path);
        }
        assertEquals(
                (int) base,
                Files.getAttribute(rootfs.resolve("bin/sh"), "unix:uid", LinkOption.NOFOLLOW_LINKS),
                "links are changed themselves");
    }

    /** Why the shift is needed: unshifted, the files belong to nobody inside and root cannot write them. */
    @Test
    void unshiftedHostRootFilesAreNobodysInside() throws Exception {
        Path rootfs = rootfs("unshifted");
        Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Isola isola = Isola.builder()
                .isolators(List.of(
                        UserNamespaceTest.userIsolator(Path.of("/proc")),
                        ContainerMain.mount(rootfs.toString(), false)))
                .build()) {
            Outcome outcome = Outcome.of(
                    isola,
                    ContainerSpec.builder("sh", "-c", "stat -c '%u %g' /image-file; touch /x")
                            .with(UserNamespace.defaultMapping())
                            .build());
            assertEquals("65534 65534\n", outcome.out());
            assertNotEquals(0, outcome.status().exitCode());
            assertEquals(true, outcome.err().contains("Permission denied"), outcome.err());
        }
    }
}
