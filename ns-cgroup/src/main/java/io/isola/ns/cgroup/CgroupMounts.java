package io.isola.ns.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cgroup hierarchies mounted on this host and the file system type of {@code /sys/fs/cgroup},
 * from {@code /proc/self/mountinfo}. The type decides the driver, as youki's and runc's detection
 * does: {@code cgroup2} there is a unified host; anything else (a tmpfs holding v1 hierarchies,
 * possibly with a cgroup2 one beside them) is a v1 or hybrid host.
 */
final class CgroupMounts {

    static final Path DEFAULT_ROOT = Path.of("/sys/fs/cgroup");
    /** The v1 controllers; other super options (rw, xattr, clone_children, ...) are not part of a hierarchy's identity. */
    private static final Set<String> V1_CONTROLLERS = Set.of(
            "cpu",
            "cpuacct",
            "cpuset",
            "memory",
            "devices",
            "freezer",
            "net_cls",
            "net_prio",
            "blkio",
            "perf_event",
            "hugetlb",
            "pids",
            "rdma",
            "misc",
            "debug");

    private final Map<Path, String> fsTypes;
    private final List<Hierarchy> hierarchies;

    private CgroupMounts(Map<Path, String> fsTypes, List<Hierarchy> hierarchies) {
        this.fsTypes = fsTypes;
        this.hierarchies = List.copyOf(hierarchies);
    }

    static CgroupMounts ofThisProcess() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /** Parses mountinfo lines: {@code id parent major:minor root mountpoint options [tags] - fstype source superoptions}. */
    static CgroupMounts parse(String mountinfo) {
        Map<Path, String> types = new LinkedHashMap<>();
        Map<Path, Hierarchy> found = new LinkedHashMap<>();
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.trim().split(" ");
            int dash = List.of(fields).indexOf("-");
            if (dash < 5 || fields.length < dash + 4) {
                continue;
            }
            Path mountPoint = Path.of(unescape(fields[4]));
            String type = fields[dash + 1];
            // a later mount on the same point covers an earlier one
            types.put(mountPoint, type);
            found.remove(mountPoint);
            if (type.equals("cgroup2")) {
                found.put(mountPoint, new Hierarchy(mountPoint, true, Set.of(), ""));
            } else if (type.equals("cgroup")) {
                Set<String> controllers = new LinkedHashSet<>();
                for (String option : fields[dash + 3].split(",")) {
                    if (V1_CONTROLLERS.contains(option) || option.startsWith("name=")) {
                        controllers.add(option);
                    }
                }
                String data = String.join(",", controllers);
                found.put(
                        mountPoint,
                        new Hierarchy(
                                mountPoint, false, controllers, data.startsWith("name=") ? "none," + data : data));
            }
        }
        // a controller mounted twice (bind mounts of a hierarchy) counts once, at its first mount point
        List<Hierarchy> unique = new ArrayList<>();
        Set<Set<String>> seen = new LinkedHashSet<>();
        for (Hierarchy h : found.values()) {
            if (h.unified() ? unique.stream().noneMatch(Hierarchy::unified) : seen.add(h.controllers())) {
                unique.add(h);
            }
        }
        return new CgroupMounts(types, unique);
    }

    /** The file system type mounted at {@code path}, if anything is. */
    Optional<String> fsType(Path path) {
        return Optional.ofNullable(fsTypes.get(path));
    }

    List<Hierarchy> hierarchies() {
        return hierarchies;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                s.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }
}
