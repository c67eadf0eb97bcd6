package io.isola.ns.cgroup;

import io.isola.api.ResourceControl;
import io.isola.ns.cgroup.CgroupDriver.CgroupfsMount;
import io.isola.spi.Arg;
import io.isola.spi.ChildSteps;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.LibcCall;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container's cgroup: created (with its limits) before the clone, joined by the host after it,
 * emptied and removed at close. Its {@link CgroupControl} is the container's {@link ResourceControl}.
 *
 * <p>Why the child unshares its cgroup namespace itself: a cgroup namespace's root is the cgroup
 * its creator was in at that moment. At clone time the child is still in the host JVM's cgroups,
 * so the namespace that clone makes would show the container as {@code /../../isola/<id>}. The
 * child therefore waits at a checkpoint until the host has moved it into its own cgroup and only
 * then calls {@code unshare(CLONE_NEWCGROUP)}, as runc's init does, so that it sees {@code /}.
 *
 * <p>Where the runtime lets a checkpoint wait for host-side work, that checkpoint is the first
 * step of LOCKDOWN (before the container's cgroupfs is mounted and its device nodes are made) and
 * the join runs in the background meanwhile: its first {@code cgroup.procs} write waits for an RCU
 * grace period (rcu_sync of cgroup_threadgroup_rwsem: 5-40 ms here under load), which the child then
 * spends building its file system instead of waiting. Until LOCKDOWN the child runs only the
 * runtime's own steps, never the user's command.
 */
final class CgroupIsolation implements Isolation {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupIsolation.class);

    private final String containerId;
    private final Cgroup cgroup;
    private final List<CgroupfsMount> mounts;
    private final CgroupControl control;
    private boolean closed;
    /** Done when the background join has placed the child; used where the runtime supports it. */
    private final java.util.concurrent.CompletableFuture<Void> joined = new java.util.concurrent.CompletableFuture<>();

    private boolean joinInBackground;
    private volatile boolean joinStarted;

    private final List<Step> deviceNodes;
    private final List<Step> capabilityDrops;

    private final boolean ownNamespace;

    CgroupIsolation(String containerId, String driver, Cgroup cgroup, List<CgroupfsMount> mounts) {
        this(containerId, driver, cgroup, true, mounts, List.of(), List.of());
    }

    /** {@code ownNamespace}: whether the child enters a cgroup namespace of its own, rooted at its cgroup. */
    CgroupIsolation(
            String containerId,
            String driver,
            Cgroup cgroup,
            boolean ownNamespace,
            List<CgroupfsMount> mounts,
            List<Step> deviceNodes,
            List<Step> capabilityDrops) {
        this.containerId = containerId;
        this.cgroup = cgroup;
        this.ownNamespace = ownNamespace;
        this.mounts = List.copyOf(mounts);
        this.deviceNodes = List.copyOf(deviceNodes);
        this.capabilityDrops = List.copyOf(capabilityDrops);
        this.control = new CgroupControl(containerId, driver, cgroup);
    }

    @Override
    public void contribute(ChildSteps steps) {
        // also without a namespace of its own: the steps that follow are then charged to the container's cgroup
        Step unshare = Step.call(
                "enter a cgroup namespace rooted at the container's cgroup",
                LibcCall.UNSHARE,
                Arg.word(Namespace.CGROUP.cloneFlag()));
        try {
            steps.checkpoint(Phase.LOCKDOWN, "wait until the host has placed the process in its cgroup", joined);
            if (ownNamespace) {
                steps.add(Phase.LOCKDOWN, unshare);
            }
            joinInBackground = true;
        } catch (UnsupportedOperationException e) {
            steps.checkpoint(Phase.NAMES, "wait until the host has placed the process in its cgroup");
            if (ownNamespace) {
                steps.add(Phase.NAMES, unshare);
            }
        }
        // LOCKDOWN, not FILESYSTEM: within a phase the cgroup namespace's steps run before the
        // mount namespace's, which build the new root and mount /sys in FILESYSTEM and pivot into
        // it in PIVOT; only after that does /sys/fs/cgroup name the container's own /sys. The
        // runtime drops ids and capabilities after every isolator's LOCKDOWN steps.
        CgroupfsSteps.of(mounts).forEach(step -> steps.add(Phase.LOCKDOWN, step));
        // --device nodes: in LOCKDOWN too, for the same reason (the container's /dev exists after the pivot)
        deviceNodes.forEach(step -> steps.add(Phase.LOCKDOWN, step));
        // last: making those nodes needs CAP_MKNOD; the runtime's bounding set and capset follow
        capabilityDrops.forEach(step -> steps.add(Phase.LOCKDOWN, step));
    }

    @Override
    public void afterClone(ClonedChild child) throws IOException {
        long pid = child.pid();
        if (!joinInBackground) {
            join(pid);
            return;
        }
        joinStarted = true;
        Thread thread = new Thread(
                () -> {
                    try {
                        join(pid);
                        joined.complete(null);
                    } catch (IOException | RuntimeException e) {
                        joined.completeExceptionally(e);
                    }
                },
                "isola-cgroup-join-" + pid);
        thread.setDaemon(true);
        thread.start();
    }

    private void join(long pid) throws IOException {
        cgroup.join(pid);
        LOG.debug("container {}: pid {} joined cgroup {}", containerId, pid, cgroup.path());
    }

    @Override
    public <T> Optional<T> facet(Class<T> type) {
        return type == ResourceControl.class ? Optional.of(type.cast(control)) : Optional.empty();
    }

    /** Reads the OOM counter while the cgroup still exists, then kills what is left and removes it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (joinStarted) {
            // a join still under way would put the process in after the cgroup was emptied
            try {
                joined.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // the start failed on it and said so; the cgroup is removed all the same
            } catch (java.util.concurrent.TimeoutException e) {
                LOG.warn("container {}: the join of its cgroup has not ended after 30 s", containerId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean oomKilled = false;
        try {
            oomKilled = cgroup.oomKills() > 0;
        } catch (IOException e) {
            LOG.warn("container {}: cannot read the OOM-kill counter: {}", containerId, e.toString());
        }
        control.ended(oomKilled);
        if (oomKilled) {
            LOG.info("container {}: the kernel killed a process for exceeding the memory limit", containerId);
        }
        if (!cgroup.destroy()) {
            LOG.warn("container {}: cgroup {} could not be removed", containerId, cgroup.path());
        }
    }
}
