package io.isola.launcher.cli.run;

import io.isola.spi.support.CgroupDelegation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Why a user other than root gets no resource limits, said for this host. The kernel lets an
 * unprivileged user create cgroups and set limits only in a cgroup v2 directory that root
 * delegated to it ({@link CgroupDelegation}: owner of the directory, its {@code cgroup.procs} and
 * {@code cgroup.subtree_control}; systemd does it for {@code user@UID.service} with {@code
 * Delegate=yes}), and only for the controllers enabled on cgroup v2; cgroup v1 has no safe
 * delegation. Where there is such a subtree, isola sets the limits there, as podman and crun do.
 */
final class RootlessLimits {

    private RootlessLimits() {}

    /** The subtree delegated to {@code uid} that this process runs in, where its containers' cgroups go. */
    static boolean delegated(long uid) {
        return CgroupDelegation.find(uid).isPresent();
    }

    /**
     * Whether every container of {@code uid} gets a cgroup, limits or not, as podman gives each
     * rootless container one: where a subtree is delegated and its root holds no process. The
     * controllers are enabled in the root's cgroup.subtree_control, which the kernel refuses
     * (EBUSY) while processes live in it ("no internal processes"); a user running isola from the
     * delegated cgroup itself then still runs containers, without a cgroup, as before.
     */
    static boolean everyContainer(long uid) {
        return CgroupDelegation.find(uid)
                .map(d -> holdsNoProcess(d.directory().resolve("cgroup.procs")))
                .orElse(false);
    }

    private static boolean holdsNoProcess(Path procs) {
        try {
            return Files.readString(procs, StandardCharsets.US_ASCII).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    /** The sentence after "resource limits X: " for uid {@code uid}, from the real /proc. */
    static String why(long uid) {
        return why(uid, Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"), Path.of("/"));
    }

    /** As above, reading {@code mountinfo} and {@code cgroups} (/proc/self's), with paths below {@code root}. */
    static String why(long uid, Path mountinfo, Path cgroups, Path root) {
        String needs =
                "as uid " + uid + " (rootless) limits need a cgroup v2 subtree that root delegated to you, with the"
                        + " memory, pids and cpu controllers on cgroup v2 (systemd's user@" + uid
                        + ".service with Delegate=yes, as"
                        + " rootless podman needs; by hand: chown " + uid + " a cgroup directory, its cgroup.procs and"
                        + " cgroup.subtree_control, and run isola from a cgroup below it)";
        String mount = CgroupDelegation.cgroup2Mount(mountinfo);
        if (mount == null) {
            return needs + "; this host has no cgroup2 hierarchy mounted. Run as root for limits";
        }
        String own = CgroupDelegation.ownCgroup(cgroups);
        Path hierarchy = root.resolve(mount.substring(1));
        Path dir = own == null ? hierarchy : hierarchy.resolve(own.substring(1));
        List<String> controllers = new CgroupDelegation(hierarchy, "/").controllers();
        boolean enough = controllers.contains("memory") && controllers.contains("pids");
        StringBuilder host = new StringBuilder("; on this host the cgroup2 hierarchy at ")
                .append(mount)
                .append(" has ")
                .append(
                        controllers.isEmpty()
                                ? "no controller"
                                : (enough ? "" : "only ") + String.join(", ", controllers));
        if (!enough) {
            host.append(" (the others are bound to cgroup v1, which cannot be delegated: boot with"
                    + " systemd.unified_cgroup_hierarchy=1 or cgroup_no_v1=all)");
        }
        long owner = CgroupDelegation.owner(dir);
        host.append(", and your cgroup there, ").append(own == null ? "/" : own);
        if (owner == uid) {
            host.append(", is yours, but not its cgroup.procs and cgroup.subtree_control");
        } else {
            host.append(", belongs to uid ").append(owner < 0 ? "unknown" : Long.toString(owner));
        }
        return needs + host + ". Run as root for limits";
    }
}
