package io.isola.ns.mount;

import io.isola.spi.ClonedChild;
import io.isola.spi.support.ContainerTrees;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.IdMaps;
import io.isola.spi.support.IdmappedMounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Makes a root's files keep their owners inside a user namespace. A directory owned by an id the
 * maps do not cover (host root, for an image unpacked or a tree copied by root) would show as
 * nobody (65534) inside, and root inside could not write it; such directories get an idmapped
 * mount over themselves in the container's mount namespace ({@link IdmappedMounts}), so that host
 * root's files are the container root's, with no change to the directories. A directory whose
 * owner is mapped already (a copy chowned to the range, a rootless user's own files) is used as
 * it is: idmapping it would shift its owners a second time.
 *
 * <p>Only root on the host can idmap or give files away; a rootless user's roots are the user's
 * own files, and the user's uid is root inside, so they need neither.
 */
final class RootOwnership {

    private final IdMaps maps;

    private RootOwnership(IdMaps maps) {
        this.maps = maps;
    }

    /** For {@code child}, or null when there is nothing to do (no user namespace, or not root on the host). */
    static RootOwnership of(ClonedChild child) throws IOException {
        if (!HostIdentity.current().isRoot()) {
            return null;
        }
        IdMaps maps = IdMaps.of(child);
        return maps.shifts() ? new RootOwnership(maps) : null;
    }

    /**
     * The directories among {@code directories} whose owner the maps do not cover, each once: an
     * image may list one layer twice (empty layers), and a second idmap of the same path would
     * find the first idmapped mount on top, which the kernel refuses to idmap again.
     */
    List<Path> unmapped(List<Path> directories) throws IOException {
        List<Path> unmapped = new ArrayList<>();
        for (Path directory : new LinkedHashSet<>(directories)) {
            if (maps.hostUid(0) >= 0 && !coversOwner(directory)) {
                unmapped.add(directory);
            }
        }
        return unmapped;
    }

    /** Idmaps {@code directories} in {@code child}'s mount namespace; {@code what} names them in the refusal. */
    void idmap(ClonedChild child, List<Path> directories, String what) throws IOException, InterruptedException {
        try {
            IdmappedMounts.mountOver(child, directories);
        } catch (IdmappedMounts.Refused e) {
            long root = maps.hostUid(0);
            throw new IllegalStateException(
                    what + " " + e.directory() + " belongs to host uid " + owner(e.directory())
                            + ", which the user namespace does not map, and cannot be idmapped (" + e.getMessage()
                            + "); give the container a copy owned by the mapped range (chown -R " + root + ":"
                            + maps.hostGid(0)
                            + " on a copy) as " + (what.startsWith("volume") ? "the volume" : "--rootfs"),
                    e);
        }
    }

    /** Lets the container's root (by its group) pass through {@code dir}, host root's: group {@code 0:GID}, mode 0710. */
    void letRootPass(Path dir) throws IOException {
        long gid = maps.hostGid(0);
        if (gid >= 0) {
            Files.setAttribute(dir, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
        }
        // no mapped group 0: the root inside passes as "other", with nothing to list or read
        Files.setAttribute(dir, "unix:mode", gid >= 0 ? 0710 : 0711, LinkOption.NOFOLLOW_LINKS);
    }

    /** Shifts the owners of the container's own new trees (new volumes) into the user namespace. */
    void shift(List<Path> trees) throws IOException {
        for (Path tree : trees) {
            ContainerTrees.shiftOwners(tree, maps);
        }
    }

    /** Gives the container's own new directories (a writable layer) to the container's root. */
    void giveToRoot(List<Path> own) throws IOException {
        for (Path path : own) {
            Files.setAttribute(path, "unix:uid", (int) maps.hostUid(0), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", (int) maps.hostGid(0), LinkOption.NOFOLLOW_LINKS);
        }
    }

    private boolean coversOwner(Path directory) throws IOException {
        long owner = owner(directory);
        return maps.uids().stream().anyMatch(m -> owner >= m.hostId() && owner - m.hostId() < m.length());
    }

    private static long owner(Path directory) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }
}
