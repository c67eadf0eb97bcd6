package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Syscalls;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import java.io.ByteArrayOutputStream;
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

    /** A cgroup file has a line per hierarchy: a few hundred bytes; 64 KiB is far beyond any. */
    private static final int CHUNK = 4096, MAX_READS = 16;

    private final long target;
    /** The target's cgroups, read while it was held ({@link JoinedProcess}): by the clone its pid may be another's. */
    private final Map<String, String> theirs;

    private CgroupJoin(long target, Map<String, String> theirs) {
        this.target = target;
        this.theirs = theirs;
    }

    /**
     * Reads the cgroups of {@code target} now, through {@code host}, below {@code proc}, the host's
     * procfs handle (openat), as the namespaces: a mount on the plain /proc/PID could hand over a
     * file naming the cgroups of the attacker's choosing.
     */
    static CgroupJoin of(long target, int proc, Syscalls host) {
        String file = "/proc/" + target + "/cgroup";
        int fd = host.openAt(proc, target + "/cgroup", Fds.O_RDONLY | Fds.O_NOFOLLOW | Fds.O_CLOEXEC);
        try {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            for (int i = 0; i < MAX_READS; i++) {
                byte[] chunk = host.read(fd, CHUNK, "read " + file);
                if (chunk.length == 0) {
                    return new CgroupJoin(target, CgroupMemberships.parse(content.toString(StandardCharsets.UTF_8)));
                }
                content.write(chunk, 0, chunk.length);
            }
            throw new IsolaException(file + " is longer than " + MAX_READS * CHUNK + " bytes");
        } finally {
            host.closeQuietly(fd);
        }
    }

    @Override
    public void afterClone(ClonedChild child) throws IOException {
        Map<String, String> ours = CgroupMemberships.ofSelf(); // both below the host's procfs handle
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
