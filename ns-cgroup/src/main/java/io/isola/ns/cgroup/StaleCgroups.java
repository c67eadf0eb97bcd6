package io.isola.ns.cgroup;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a host JVM that died left under the parent: container cgroups with no process left
 * in any hierarchy. Until containers have state on disk (the lifecycle issue), emptiness and age
 * are all there is to go by: a cgroup that was just created (its process not joined yet) is empty
 * too, so only those older than {@link #MIN_AGE} are touched. One with processes is a running
 * container, whoever started it, and is left alone.
 */
final class StaleCgroups {

    private static final Logger LOG = LoggerFactory.getLogger(StaleCgroups.class);
    static final Duration MIN_AGE = Duration.ofMinutes(1);

    private StaleCgroups() {}

    /** @return how many were removed */
    static int sweep(CgroupDriver driver, String parent, Instant now) {
        int removed = 0;
        try {
            for (Cgroup cgroup : driver.children(parent)) {
                if (cgroup.empty() && cgroup.created().toInstant().isBefore(now.minus(MIN_AGE)) && cgroup.destroy()) {
                    LOG.info("removed the cgroup {} that an earlier run left behind", cgroup.path());
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot look for cgroups left under {}: {}", parent, e.toString());
        }
        return removed;
    }
}
