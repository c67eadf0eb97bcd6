package io.isola.internal.launch;

import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        Map<String, String> ours = CgroupMemberships.of(Path.of("/proc/self/cgroup"));
        Map<String, String> theirs = CgroupMemberships.of(Path.of("/proc", Long.toString(target), "cgroup"));
        List<CgroupMemberships.Mount> mounts = CgroupMemberships.mounts();
        for (Map.Entry<String, String> entry : theirs.entrySet()) {
            String hierarchy = entry.getKey(), path = entry.getValue();
            if (path.equals(ours.get(hierarchy))) {
                continue;
            }
            CgroupMemberships.Mount mount = CgroupMemberships.mountOf(mounts, hierarchy, path);
            if (mount == null) {
                LOG.warn(
                        "exec into {}: no mount of cgroup hierarchy \"{}\" found; the process stays in the runtime's",
                        target,
                        hierarchy);
                continue;
            }
            Path procs = mount.dirOf(path).resolve("cgroup.procs");
            LOG.debug("exec: pid {} joins {}", child.pid(), procs);
            Files.writeString(procs, Long.toString(child.pid()), StandardCharsets.US_ASCII);
        }
    }
}
