package io.isola.internal.launch;

import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host-side part of exec: moves the new process into every cgroup of the container's process
 * where that differs from the runtime's own, before the gate, so the command never runs outside
 * the container's limits. Works on v1 hierarchies and the v2 one alike: each line of
 * {@code /proc/<pid>/cgroup} is matched to its mount through {@code /proc/self/mountinfo}.
 */
final class CgroupJoin implements Isolation {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupJoin.class);

    /** The name failures are reported under. */
    static final NamespaceIsolator OWNER = new CoreOwner("exec", Namespace.CGROUP);

    private final long target;

    CgroupJoin(long target) {
        this.target = target;
    }

    @Override
    public void afterClone(ClonedChild child) throws IOException {
        Map<String, String> ours = memberships(Path.of("/proc/self/cgroup"));
        Map<String, String> theirs = memberships(Path.of("/proc", Long.toString(target), "cgroup"));
        List<Mount> mounts = mounts();
        for (Map.Entry<String, String> entry : theirs.entrySet()) {
            String hierarchy = entry.getKey(), path = entry.getValue();
            if (path.equals(ours.get(hierarchy))) {
                continue;
            }
            Path procs = procsFile(mounts, hierarchy, path);
            if (procs == null) {
                LOG.warn("exec into {}: no mount of cgroup hierarchy \"{}\" found; the process stays in the runtime's", target,
                        hierarchy);
                continue;
            }
            LOG.debug("exec: pid {} joins {}", child.pid(), procs);
            Files.writeString(procs, Long.toString(child.pid()), StandardCharsets.US_ASCII);
        }
    }

    /** hierarchy ("cpu,cpuacct", "name=systemd", "" for v2) to path, from a /proc/<pid>/cgroup file. */
    static Map<String, String> memberships(Path file) throws IOException {
        Map<String, String> result = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) {
                result.put(parts[1], parts[2]);
            }
        }
        return result;
    }

    private record Mount(Path point, String root, boolean v2, Set<String> options) {}

    private static List<Mount> mounts() throws IOException {
        List<Mount> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) {
                continue;
            }
            String[] left = halves[0].split(" "), right = halves[1].split(" ");
            if (right.length < 3 || !(right[0].equals("cgroup") || right[0].equals("cgroup2"))) {
                continue;
            }
            mounts.add(new Mount(Path.of(left[4]), left[3], right[0].equals("cgroup2"),
                    new HashSet<>(Arrays.asList(right[2].split(",")))));
        }
        return mounts;
    }

    private static Path procsFile(List<Mount> mounts, String hierarchy, String path) {
        for (Mount mount : mounts) {
            boolean match = hierarchy.isEmpty() ? mount.v2()
                    : !mount.v2() && mount.options().containsAll(Arrays.asList(hierarchy.split(",")));
            if (match && path.startsWith(mount.root())) {
                String relative = path.substring(mount.root().length()).replaceFirst("^/", "");
                return mount.point().resolve(relative).resolve("cgroup.procs");
            }
        }
        return null;
    }
}
