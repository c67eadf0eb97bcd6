package io.isola.spi;

/**
 * The phases of the child's setup, in the order the child runs them. Within a phase, steps run in
 * the kernel's namespace order of the isolators that contributed them ({@link Namespace}), and in
 * the order each isolator added them.
 */
public enum Phase {
    /** Wait for the host's id maps, then take the container's ids. */
    IDENTITY,
    /** Host name and domain name. */
    NAMES,
    /** Mount propagation, rootfs, {@code /proc}, {@code /dev}, volumes. */
    FILESYSTEM,
    /** {@code pivot_root} into the rootfs and detach the old root. */
    PIVOT,
    /** Read-only remounts, masked paths, rlimits, ids, capabilities, seccomp. */
    LOCKDOWN,
    /** Working directory and stdio, just before the gate. */
    PROCESS
}
