package io.isola.internal.launch;

import io.isola.internal.nativ.HostProc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which cgroup a process is in, per hierarchy, and where that cgroup's directory is in this
 * process's mount namespace: each line of {@code /proc/<pid>/cgroup} matched to its mount through
 * {@code /proc/self/mountinfo}. The same for v1 hierarchies and the v2 one. This process's own
 * files are read below the host's procfs handle ({@link HostProc}): a file bound on the plain
 * /proc/PID/cgroup or mountinfo of the runtime (a container given a shared bind of the host's /proc
 * can mount one) could claim a container's cgroup as the runtime's, so that an exec's process
 * stays outside the container's limits, or name a mount of its choosing as a hierarchy's, where
 * the runtime would write a pid.
 */
public final class CgroupMemberships {

    /** A mounted cgroup hierarchy: {@code root} is the cgroup the mount shows at {@code point}. */
    public record Mount(Path point, String root, boolean v2, Set<String> options) {

        /** The directory of {@code path} (as /proc/PID/cgroup names it), or null when this mount does not show it. */
        public Path dirOf(String path) {
            if (!(root.equals("/") || path.equals(root) || path.startsWith(root + "/"))) {
                return null;
            }
            String relative = path.substring(root.length()).replaceFirst("^/", "");
            return point.resolve(relative);
        }
    }

    /** A cgroup file has a line per hierarchy: a few hundred bytes. */
    private static final int CGROUP_BYTES = 1 << 16;
    /** A mountinfo line is about 150 bytes: 100,000 mounts fit. */
    private static final int MOUNTINFO_BYTES = 1 << 24;

    private CgroupMemberships() {}

    /** hierarchy ("cpu,cpuacct", "name=systemd", "" for v2) to path, for this process. */
    public static Map<String, String> ofSelf() throws IOException {
        return parse(new String(HostProc.read("self/cgroup", CGROUP_BYTES), StandardCharsets.UTF_8));
    }

    /** The same, from the content of such a file. */
    static Map<String, String> parse(String content) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : content.split("\n")) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) {
                result.put(parts[1], parts[2]);
            }
        }
        return result;
    }

    /** The cgroup mounts of this process's mount namespace. */
    public static List<Mount> mounts() throws IOException {
        List<Mount> mounts = new ArrayList<>();
        String mountinfo = new String(HostProc.read("self/mountinfo", MOUNTINFO_BYTES), StandardCharsets.UTF_8);
        for (String line : mountinfo.split("\n")) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) {
                continue;
            }
            String[] left = halves[0].split(" "), right = halves[1].split(" ");
            if (right.length < 3 || !(right[0].equals("cgroup") || right[0].equals("cgroup2"))) {
                continue;
            }
            mounts.add(new Mount(
                    Path.of(left[4]),
                    left[3],
                    right[0].equals("cgroup2"),
                    new HashSet<>(Arrays.asList(right[2].split(",")))));
        }
        return mounts;
    }

    /** The mount of {@code hierarchy} that shows {@code path}, or null. */
    public static Mount mountOf(List<Mount> mounts, String hierarchy, String path) {
        for (Mount mount : mounts) {
            boolean match = hierarchy.isEmpty()
                    ? mount.v2()
                    : !mount.v2() && mount.options().containsAll(Arrays.asList(hierarchy.split(",")));
            if (match && mount.dirOf(path) != null) {
                return mount;
            }
        }
        return null;
    }
}
