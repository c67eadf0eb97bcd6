package io.isola.spi.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The cgroup v2 subtree that root delegated to a user, where the user may create cgroups, set
 * their limits and move its own processes between them, as systemd's {@code Delegate=yes} on
 * {@code user@UID.service} gives it: the directory, its {@code cgroup.procs} and {@code
 * cgroup.subtree_control} belong to the user. Found from the process's own cgroup upwards: the
 * highest of its ancestors (itself included) that is the user's, so the process runs inside it;
 * the kernel lets a process move another only when its user may write the {@code cgroup.procs}
 * of the two cgroups' common ancestor, which is then inside the subtree.
 *
 * @param hierarchy where the cgroup2 file system is mounted
 * @param path the subtree's path in the hierarchy ({@code /user.slice/.../user@1000.service})
 * @since 1.3
 */
public record CgroupDelegation(Path hierarchy, String path) {

    private static final List<String> DELEGATED = List.of("cgroup.procs", "cgroup.subtree_control");

    /** The subtree's directory. */
    public Path directory() {
        return path.equals("/") ? hierarchy : hierarchy.resolve(path.substring(1));
    }

    /** The controllers the subtree's parent lets it use (its {@code cgroup.controllers}). */
    public List<String> controllers() {
        return words(directory().resolve("cgroup.controllers"));
    }

    /** The subtree delegated to {@code uid} that this process runs in, from the real /proc. */
    public static Optional<CgroupDelegation> find(long uid) {
        return find(uid, Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"), Path.of("/"));
    }

    /** As above, reading {@code mountinfo} and {@code cgroups} (/proc/self's), with paths below {@code root}. */
    public static Optional<CgroupDelegation> find(long uid, Path mountinfo, Path cgroups, Path root) {
        String mount = cgroup2Mount(mountinfo);
        String own = ownCgroup(cgroups);
        if (mount == null || own == null) {
            return Optional.empty();
        }
        Path hierarchy = root.resolve(mount.substring(1));
        String path = "";
        for (String name : own.substring(1).split("/")) {
            if (name.isEmpty()) {
                continue;
            }
            path += "/" + name;
            CgroupDelegation candidate = new CgroupDelegation(hierarchy, path);
            if (delegated(candidate.directory(), uid)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean delegated(Path dir, long uid) {
        if (owner(dir) != uid) {
            return false;
        }
        return DELEGATED.stream().allMatch(file -> owner(dir.resolve(file)) == uid);
    }

    /** The mount point of the first cgroup2 file system in {@code mountinfo}; null when none. */
    public static String cgroup2Mount(Path mountinfo) {
        for (String line : lines(mountinfo)) {
            int dash = line.indexOf(" - ");
            String[] fields = line.split(" ");
            if (dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ") && fields.length > 4) {
                return fields[4].replace("\\040", " ");
            }
        }
        return null;
    }

    /** This process's path in the v2 hierarchy (the "0::" line of {@code cgroups}); null when none. */
    public static String ownCgroup(Path cgroups) {
        return lines(cgroups).stream()
                .filter(l -> l.startsWith("0::"))
                .map(l -> l.substring(3))
                .findFirst()
                .orElse(null);
    }

    /** The owner of {@code path} (not following a link); -1 when it cannot be read. */
    public static long owner(Path path) {
        try {
            return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static List<String> words(Path file) {
        List<String> all = lines(file);
        return all.isEmpty() || all.get(0).isBlank()
                ? List.of()
                : List.of(all.get(0).trim().split("\\s+"));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
