package io.isola.ns.mount;

import io.isola.api.IdMapping;
import io.isola.spi.support.IdMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether the child, in a user namespace, can search its way to the host directories it looks up by
 * path (a {@code --rootfs}, an image's layers): its root is an unprivileged host uid, and the kernel
 * checks each directory above them against it. A refusal there would be a bare EACCES from a mount
 * step in the child; checked on the host first, while the child waits, the error names the
 * directory, the uid and what to do.
 *
 * <p>The child searches with the maps' root as its fs uid and gid and with the supplementary groups
 * it inherited from this process (the lock-down phase sets its own later); as root of its namespace
 * it also passes any directory whose owner and group the namespace maps (CAP_DAC_READ_SEARCH there).
 * Permission bits only: a POSIX ACL that lets the uid in is not seen.
 */
final class Reachability {

    private final IdMaps maps;
    private final long uid;
    private final Set<Long> groups;

    private Reachability(IdMaps maps, Set<Long> groups) {
        this.maps = maps;
        this.uid = maps.hostUid(0);
        this.groups = groups;
    }

    /** For a child with {@code maps}, which inherited this process's supplementary groups. */
    static Reachability of(IdMaps maps) throws IOException {
        Set<Long> groups = new HashSet<>(supplementaryGroups());
        groups.add(maps.hostGid(0));
        return new Reachability(maps, groups);
    }

    /**
     * Throws naming the first directory above each of {@code paths} (real paths; the value says what
     * each is, "root file system") that the child's root cannot search; nothing when root is unmapped.
     */
    void require(Map<Path, String> paths) throws IOException {
        if (uid < 0) {
            return;
        }
        for (var entry : paths.entrySet()) {
            for (Path dir = entry.getKey().getRoot();
                    dir != null && !dir.equals(entry.getKey());
                    dir = dir.resolve(entry.getKey().getName(dir.getNameCount()))) {
                if (!searchable(dir)) {
                    throw new IllegalStateException(
                            entry.getValue() + " " + entry.getKey() + ": the container's root (host uid "
                                    + uid + ") cannot search " + dir + " (mode " + String.format("%04o", mode(dir))
                                    + ", owner uid "
                                    + owner(dir) + "); allow it (chmod o+x " + dir + ") or use a path that uid " + uid
                                    + " can reach");
                }
            }
        }
    }

    private boolean searchable(Path dir) throws IOException {
        long owner = owner(dir), group = attribute(dir, "unix:gid"), mode = mode(dir);
        if (covers(maps.uids(), owner) && covers(maps.gids(), group)) {
            return true;
        }
        if (owner == uid) {
            return (mode & 0100) != 0;
        }
        return (mode & (groups.contains(group) ? 010 : 01)) != 0;
    }

    private static boolean covers(List<IdMapping> maps, long hostId) {
        return maps.stream().anyMatch(m -> hostId >= m.hostId() && hostId - m.hostId() < m.length());
    }

    private static long owner(Path dir) throws IOException {
        return attribute(dir, "unix:uid");
    }

    private static long mode(Path dir) throws IOException {
        return attribute(dir, "unix:mode") & 07777;
    }

    private static long attribute(Path dir, String name) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(dir, name, LinkOption.NOFOLLOW_LINKS));
    }

    /** This process's supplementary groups (the "Groups:" line of /proc/self/status). */
    private static Set<Long> supplementaryGroups() throws IOException {
        Set<Long> groups = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Groups:")) {
                for (String id : line.substring("Groups:".length()).trim().split("\\s+")) {
                    if (!id.isEmpty()) {
                        groups.add(Long.parseLong(id));
                    }
                }
            }
        }
        return groups;
    }
}
