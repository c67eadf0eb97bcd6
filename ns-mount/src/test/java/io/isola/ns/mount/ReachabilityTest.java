package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.IdMapping;
import io.isola.spi.support.IdMaps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user namespace's root (host uid 3000000 here) can reach by path, checked on the host
 * before the child looks: the mount point every sandbox and image is mounted on, and a directory
 * below one only host root may search, which is refused naming the directory, the uid and the fix.
 */
class ReachabilityTest {

    private static final IdMapping RANGE = new IdMapping(0, 3000000, 65536);

    /** Mode 0700 and host root's, as JUnit makes it (these tests run as root, as all of ns-mount's). */
    @TempDir
    Path tmp;

    private static Reachability mapped() throws Exception {
        return Reachability.of(new IdMaps(List.of(RANGE), List.of(RANGE)));
    }

    @Test
    void theHostMountPointsAreReachableFromAUserNamespace() throws Exception {
        HostMountPoints.create(HostMountPoints.root(), "sandbox's mount point");
        HostMountPoints.create(HostMountPoints.binds(), "staging directory");
        Map<Path, String> mountPoints =
                Map.of(HostMountPoints.root(), "mount point", HostMountPoints.binds(), "staging directory");
        mapped().require(mountPoints); // throws when one is not
    }

    @Test
    void aDirectoryBelowOneOnlyHostRootMaySearchIsRefusedNamingItTheUidAndTheFix() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> mapped().require(Map.of(rootfs, "root file system")));
        assertEquals(
                "root file system " + rootfs + ": the container's root (host uid 3000000) cannot search " + tmp
                        + " (mode 0700, owner uid 0); allow it (chmod o+x " + tmp
                        + ") or use a path that uid 3000000 can reach",
                e.getMessage());
    }

    @Test
    void aDirectoryTheNamespaceMapsTheOwnerAndGroupOfIsSearchedWithItsCapability() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(tmp, "unix:uid", 3000005);
        Files.setAttribute(tmp, "unix:gid", 3000005);
        mapped().require(Map.of(rootfs, "root file system"));
    }
}
