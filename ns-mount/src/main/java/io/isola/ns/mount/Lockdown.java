package io.isola.ns.mount;

import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.spi.support.SyscallSteps;
import java.util.List;

/**
 * Entering the new root, and what is locked once inside: the read-only root, and OCI's default
 * masked and read-only paths, which keep kernel interfaces that are not namespaced (kernel
 * memory, keyrings, sysrq, sysctls, firmware) out of the container's reach.
 */
final class Lockdown {

    /** Covered: a file by /dev/null, a directory by an empty read-only tmpfs. */
    static final List<String> MASKED = List.of(
            "/proc/acpi",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/sys/firmware",
            "/sys/devices/virtual/powercap");

    /** Bound onto themselves, then made read-only. */
    static final List<String> READ_ONLY =
            List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    private static final long KERNEL_FS_ATTRIBUTES =
            SyscallSteps.MOUNT_ATTR_NOSUID | SyscallSteps.MOUNT_ATTR_NODEV | SyscallSteps.MOUNT_ATTR_NOEXEC;

    private Lockdown() {}

    /**
     * {@code pivot_root(".", ".")} stacks the old root on the new one, so one lazy unmount of "."
     * removes the host's whole tree from the container without a directory to put it in.
     */
    static void pivot(PlannedSteps steps, String newRoot) {
        steps.add(Phase.PIVOT, MountCalls.chdir("change directory to the new root " + newRoot, newRoot));
        steps.add(Phase.PIVOT, SyscallSteps.pivotRoot("pivot_root into the new root", ".", "."));
        // had pivot_root failed, the next step would detach the new root and leave the host's in place
        steps.checkpoint(Phase.PIVOT, "the container is in its new root");
        steps.add(Phase.PIVOT, MountCalls.detach("detach the host's root", "."));
        steps.add(Phase.PIVOT, MountCalls.chdir("change directory to /", "/"));
    }

    static void lock(PlannedSteps steps, boolean readOnlyRoot, boolean maskPaths) {
        lock(steps, readOnlyRoot, maskPaths, MASKED, READ_ONLY);
    }

    /** As above, with the spec's own lists of masked and read-only paths (an OCI config.json's). */
    static void lock(
            PlannedSteps steps, boolean readOnlyRoot, boolean maskPaths, List<String> masked, List<String> readOnly) {
        MountCalls inside = new MountCalls("");
        if (readOnlyRoot) {
            steps.add(Phase.LOCKDOWN, inside.readOnly("/", false, 0));
        }
        if (!maskPaths) {
            return;
        }
        for (String path : masked) {
            // the kernel knows which it is: /dev/null cannot cover a directory, a tmpfs cannot cover a file (ENOTDIR)
            steps.add(
                    Phase.LOCKDOWN,
                    Steps.mount("mask " + path, "/dev/null", path, null, Steps.MS_BIND, null)
                            .tolerating("ENOENT", "ENOTDIR"));
            steps.add(
                    Phase.LOCKDOWN,
                    Steps.mount(
                                    "mask " + path,
                                    "tmpfs",
                                    path,
                                    "tmpfs",
                                    Steps.MS_RDONLY | MountCalls.NOSUID_NODEV_NOEXEC,
                                    "mode=555")
                            .tolerating("ENOENT", "ENOTDIR"));
        }
        for (String path : readOnly) {
            steps.add(
                    Phase.LOCKDOWN,
                    Steps.mount("bind " + path + " onto itself", path, path, null, Steps.MS_BIND | Steps.MS_REC, null)
                            .tolerating("ENOENT"));
            steps.add(
                    Phase.LOCKDOWN,
                    inside.readOnly(path, true, KERNEL_FS_ATTRIBUTES).tolerating("ENOENT"));
        }
    }
}
