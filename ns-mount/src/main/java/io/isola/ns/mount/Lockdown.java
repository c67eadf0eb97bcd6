package io.isola.ns.mount;

import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.spi.support.SyscallSteps;
import java.util.List;
import java.util.regex.Pattern;

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

    /** Where the cgroup isolator mounts, after the file system phase's other mounts. */
    private static final List<String> CGROUPFS = List.of("sys", "fs", "cgroup");

    /** A process's directory in /proc: its number, self or thread-self. */
    private static final Pattern PROCESS_DIRECTORY = Pattern.compile("[0-9]+|self|thread-self");

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
        lock(steps, new MountCalls(""), readOnlyRoot, maskPaths, MASKED, READ_ONLY);
    }

    /**
     * Whether {@code path} is masked before any user mount, in {@link #maskKernelPaths}: a path of
     * the container's own proc or sysfs, which no volume may enter, reached without "..", nor
     * through a process's directory, whose magic links lead outside the new root before the pivot,
     * nor below /sys/fs/cgroup, where the cgroup isolator mounts later (its mount would cover the mask).
     */
    static boolean maskedEarly(String path) {
        List<String> parts = ContainerTree.components(path);
        return parts.size() > 1
                && (parts.get(0).equals("proc") || parts.get(0).equals("sys"))
                && !parts.contains("..")
                && !(parts.get(0).equals("proc")
                        && PROCESS_DIRECTORY.matcher(parts.get(1)).matches())
                && !(parts.size() >= 3 && parts.subList(0, 3).equals(CGROUPFS));
    }

    /**
     * Masks the kernel's paths among {@code masked} ({@link #maskedEarly}) while the root's /dev is
     * still the runtime's own, before the volumes: a file's mask is a bind of /dev/null, and a
     * volume or tmpfs on /dev would make that whatever the container's content holds there, such
     * as a link to /proc/sys/kernel/core_pattern (runc's CVE-2025-31133), or nothing at all.
     */
    static void maskKernelPaths(PlannedSteps steps, MountCalls calls, List<String> masked) {
        for (String path : masked) {
            if (maskedEarly(path)) {
                mask(steps, calls, Phase.FILESYSTEM, calls.at("/dev/null"), path, calls.at(path));
            }
        }
    }

    /**
     * As above, with the spec's own lists of masked and read-only paths (an OCI config.json's): the
     * masked paths {@link #maskKernelPaths} left, from the container's /dev/null, then the
     * read-only ones.
     */
    static void lock(
            PlannedSteps steps,
            MountCalls inside,
            boolean readOnlyRoot,
            boolean maskPaths,
            List<String> masked,
            List<String> readOnly) {
        if (readOnlyRoot) {
            steps.add(Phase.LOCKDOWN, inside.readOnly("/", false, 0));
        }
        if (!maskPaths) {
            return;
        }
        for (String path : masked) {
            if (!maskedEarly(path)) {
                mask(steps, inside, Phase.LOCKDOWN, "/dev/null", path, path);
            }
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

    private static void mask(
            PlannedSteps steps, MountCalls calls, Phase phase, String devNull, String path, String at) {
        // the kernel knows which it is: /dev/null cannot cover a directory, a tmpfs cannot cover a file (ENOTDIR)
        steps.add(
                phase,
                Steps.mount("mask " + path, devNull, at, null, Steps.MS_BIND, null)
                        .tolerating("ENOENT", "ENOTDIR"));
        steps.add(
                phase,
                Steps.mount(
                                "mask " + path,
                                "tmpfs",
                                at,
                                "tmpfs",
                                Steps.MS_RDONLY | MountCalls.NOSUID_NODEV_NOEXEC,
                                calls.labelled("tmpfs", "mode=555"))
                        .tolerating("ENOENT", "ENOTDIR"));
    }
}
