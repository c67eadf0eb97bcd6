package io.isola.ns.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties a cgroup before it is removed. The freezer holds the processes still while their pids
 * are read and signalled, so a fork loop cannot outrun the kill and no pid is reused meanwhile;
 * v1's freezer lets no signal through to a frozen task, so it is thawed after the kill.
 */
final class CgroupReaper {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupReaper.class);
    private static final int ROUNDS = 100;

    /** The freezer of the cgroup, if it has one. */
    interface Freezer {
        void freeze() throws IOException;

        void thaw() throws IOException;
    }

    private CgroupReaper() {}

    /**
     * Kills everything listed in any of {@code procsFiles}, bounded in time.
     *
     * @return whether they are all empty
     */
    static boolean killAll(List<Path> procsFiles, Freezer freezer) {
        long self = ProcessHandle.current().pid();
        for (int round = 0; round < ROUNDS; round++) {
            Set<Long> pids = pids(procsFiles);
            pids.remove(self);
            if (pids.isEmpty()) {
                return true;
            }
            try {
                if (freezer != null) {
                    freezer.freeze();
                }
            } catch (IOException e) {
                LOG.debug("cannot freeze before killing: {}", e.toString());
            }
            for (long pid : pids(procsFiles)) {
                if (pid != self) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            try {
                if (freezer != null) {
                    freezer.thaw();
                }
            } catch (IOException e) {
                LOG.debug("cannot thaw after killing: {}", e.toString());
            }
            CgroupTree.sleep(Math.min(50, 2L << Math.min(round, 5)));
        }
        Set<Long> left = pids(procsFiles);
        if (!left.isEmpty()) {
            LOG.warn("processes {} survived {} rounds of SIGKILL in {}", left, ROUNDS, procsFiles);
        }
        return left.isEmpty();
    }

    static Set<Long> pids(List<Path> procsFiles) {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path procs : procsFiles) {
            try {
                pids.addAll(CgroupFiles.readPids(procs));
            } catch (IOException e) {
                LOG.debug("cannot read {}: {}", procs, e.toString());
            }
        }
        return pids;
    }
}
