package io.isola.spi.support;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Host-side work on a tree whose content a container or an image chose (a writable layer, an
 * unpacked layer): nothing here follows a link inside the tree, however the tree changes
 * meanwhile, so a link a container planted or swapped in never leads the host to its own files.
 *
 * @since 1.2
 */
public final class ContainerTrees {

    private ContainerTrees() {}

    /**
     * Removes {@code tree} and everything in it, each directory opened relative to its parent
     * without following links (as Go's os.RemoveAll does with unlinkat); nothing if it is gone.
     * The path up to {@code tree} is the caller's own and trusted; {@code tree} itself, if a link,
     * is removed as a link.
     */
    public static void remove(Path tree) throws IOException {
        Path absolute = tree.toAbsolutePath().normalize();
        if (absolute.getParent() == null || !Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryFd parent = DirectoryFd.open(absolute.getParent())) {
            parent.remove(absolute.getFileName().toString());
        }
    }

    /**
     * Gives each entry of {@code tree} ({@code tree} included) owned by id {@code u} the host id
     * that container id {@code u} maps to in {@code maps}, through descriptors: each directory
     * opened relative to its parent, each entry changed through a descriptor of its own, so a link
     * swapped in meanwhile leads nowhere. A hard link is shifted once; set-id bits, which chown
     * clears, are put back. Ids the maps
     * do not cover are left alone. Returns how many entries changed. Needs root on the host.
     *
     * @since 1.3
     */
    public static long shiftOwners(Path tree, IdMaps maps) throws IOException {
        Path absolute = tree.toAbsolutePath().normalize();
        try (DirectoryFd parent = DirectoryFd.open(absolute.getParent())) {
            return shift(parent, absolute.getFileName().toString(), maps, new HashSet<>());
        }
    }

    private static long shift(DirectoryFd dir, String name, IdMaps maps, Set<List<Long>> linked) throws IOException {
        FileStat entry = dir.stat(name).orElse(null);
        if (entry == null) {
            return 0;
        }
        long changed = 0;
        // a hard link is shifted once: shifted again, an id that lands inside the maps would move twice
        boolean first = entry.isDirectory() || entry.nlink() < 2 || linked.add(List.of(entry.dev(), entry.ino()));
        long uid = maps.hostUid(Integer.toUnsignedLong(entry.uid())),
                gid = maps.hostGid(Integer.toUnsignedLong(entry.gid()));
        if (first
                && (uid >= 0 && uid != Integer.toUnsignedLong(entry.uid())
                        || gid >= 0 && gid != Integer.toUnsignedLong(entry.gid()))) {
            dir.chownKeepingMode(name, uid >= 0 ? (int) uid : entry.uid(), gid >= 0 ? (int) gid : entry.gid());
            changed++;
        }
        if (entry.isDirectory()) {
            try (DirectoryFd sub = dir.directory(name)) {
                for (String child : sub.list()) {
                    changed += shift(sub, child, maps, linked);
                }
            }
        }
        return changed;
    }
}
