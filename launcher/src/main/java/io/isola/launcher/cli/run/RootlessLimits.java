package io.isola.launcher.cli.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Why a user other than root gets no resource limits, said for this host. The kernel lets an
 * unprivileged user create cgroups and set limits only in a cgroup v2 directory that root
 * delegated to it (owner of the directory, its {@code cgroup.procs} and {@code
 * cgroup.subtree_control}; systemd does it for {@code user@UID.service} with {@code Delegate=yes}),
 * and only for the controllers enabled on cgroup v2; cgroup v1 has no safe delegation. podman and
 * crun set rootless limits there. isola does not use such a subtree yet, so the message says what
 * this host lacks and that root is the way for now.
 */
final class RootlessLimits {

    private RootlessLimits() {}

    /** The sentence after "resource limits X: " for uid {@code uid}, from the real /proc. */
    static String why(long uid) {
        return why(uid, Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"), Path.of("/"));
    }

    /** As above, reading {@code mountinfo} and {@code cgroups} (/proc/self's), with paths below {@code root}. */
    static String why(long uid, Path mountinfo, Path cgroups, Path root) {
        String needs = "as uid " + uid + " (rootless) limits need a cgroup v2 subtree that root delegated to you, with the"
                + " memory, pids and cpu controllers on cgroup v2 (systemd's user@" + uid + ".service with Delegate=yes, as"
                + " rootless podman needs)";
        String mount = cgroup2Mount(mountinfo);
        if (mount == null) {
            return needs + "; this host has no cgroup2 hierarchy mounted. Run as root for limits";
        }
        String own = ownCgroup(cgroups);
        Path hierarchy = root.resolve(mount.substring(1));
        Path dir = own == null ? hierarchy : hierarchy.resolve(own.substring(1));
        List<String> controllers = words(hierarchy.resolve("cgroup.controllers"));
        boolean enough = controllers.contains("memory") && controllers.contains("pids");
        StringBuilder host = new StringBuilder("; on this host the cgroup2 hierarchy at ").append(mount).append(" has ")
                .append(controllers.isEmpty() ? "no controller" : (enough ? "" : "only ") + String.join(", ", controllers));
        if (!enough) {
            host.append(" (the others are bound to cgroup v1, which cannot be delegated: boot with"
                    + " systemd.unified_cgroup_hierarchy=1 or cgroup_no_v1=all)");
        }
        long owner = owner(dir);
        host.append(", and your cgroup there, ").append(own == null ? "/" : own);
        if (owner == uid) {
            host.append(", is yours, but isola does not set limits in a delegated subtree yet");
        } else {
            host.append(", belongs to uid ").append(owner < 0 ? "unknown" : Long.toString(owner));
        }
        return needs + host + ". Run as root for limits";
    }

    /** The mount point of the first cgroup2 file system in {@code mountinfo}; null when none. */
    private static String cgroup2Mount(Path mountinfo) {
        for (String line : lines(mountinfo)) {
            int dash = line.indexOf(" - ");
            String[] fields = line.split(" ");
            if (dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ") && fields.length > 4) {
                return fields[4].replace("\\040", " ");
            }
        }
        return null;
    }

    /** This process's path in the v2 hierarchy (the "0::" line); null when none. */
    private static String ownCgroup(Path cgroups) {
        return lines(cgroups).stream().filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst().orElse(null);
    }

    private static List<String> words(Path file) {
        List<String> all = lines(file);
        return all.isEmpty() || all.get(0).isBlank() ? List.of() : List.of(all.get(0).trim().split("\\s+"));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long owner(Path dir) {
        try {
            return Integer.toUnsignedLong((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
