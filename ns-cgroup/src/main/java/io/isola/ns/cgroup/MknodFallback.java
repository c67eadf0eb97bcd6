package io.isola.ns.cgroup;

import io.isola.api.Capability;
import io.isola.api.CapabilitySets;
import io.isola.api.ContainerSpec;
import io.isola.api.Security;
import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the cgroup driver cannot enforce the device list (cgroup v2 where the kernel will not load
 * isola's BPF device filter: built without CONFIG_CGROUP_BPF, or a runtime without CAP_BPF),
 * a default container would keep CAP_MKNOD (Docker's default set) with nothing to stop it from
 * making a node of the host's disk and opening it. There the container loses CAP_MKNOD instead:
 * one PR_CAPBSET_DROP in LOCKDOWN, while the child is still root with CAP_SETPCAP.
 *
 * <p>Why the bounding set alone suffices: the runtime's own capset after it only lowers the
 * effective and permitted sets (CAP_MKNOD may stay there until execve), and execve gives a root
 * process the bounding set as its permitted and effective ones, so the command starts without it.
 * The one set the drop does constrain is the inheritable one (capset refuses to raise a capability
 * that is in neither the old inheritable nor the bounding set), hence the check in {@link #steps}.
 * A privileged container may use every device, as in Docker, and keeps it.
 */
final class MknodFallback {

    private static final Logger LOG = LoggerFactory.getLogger(MknodFallback.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final int PR_CAPBSET_DROP = 24;

    private MknodFallback() {}

    /**
     * The LOCKDOWN steps for {@code spec} under {@code driver}: none where devices are filtered or
     * the container is privileged; else the drop of CAP_MKNOD from the bounding set. Refuses an
     * OCI capability set that asks to keep CAP_MKNOD inheritable or ambient, which cannot be had.
     */
    static List<Step> steps(ContainerSpec spec, CgroupDriver driver) {
        if (driver.filtersDevices() || Security.of(spec).privileged()) {
            return List.of();
        }
        spec.extension(CapabilitySets.class).ifPresent(sets -> {
            if (sets.inheritable().contains(Capability.MKNOD) || sets.ambient().contains(Capability.MKNOD)) {
                throw new IllegalArgumentException(
                        "capability CAP_MKNOD in the inheritable or ambient set: device access is not "
                                + "filtered on this " + driver.name()
                                + " host, so containers lose CAP_MKNOD; drop it from those sets "
                                + "or run privileged");
            }
        });
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn(
                    "device access is not filtered on this {} host (no BPF device filter), so containers' CAP_MKNOD is dropped"
                            + " (--privileged keeps it)",
                    driver.name());
        }
        return List.of(Step.call(
                "drop CAP_MKNOD from the bounding set (device access is not filtered on " + driver.name() + ")",
                LibcCall.PRCTL,
                Arg.word(PR_CAPBSET_DROP),
                Arg.word(Capability.MKNOD.number()),
                Arg.word(0),
                Arg.word(0),
                Arg.word(0)));
    }
}
