package io.isola.spi;

/**
 * The phases of the child's setup, in the order the child runs them. Within a phase, steps run in
 * the kernel's namespace order of the isolators that contributed them ({@link Namespace}), and in
 * the order each isolator added them.
 */
public enum Phase {
    /**
     * Right after the clone, before the container's ids are taken: the child still has the
     * credentials of the host user who started it and so reaches what that user may (in a
     * user namespace whose root is a subordinate uid, the container's ids cannot search the
     * user's private directories). For steps such as a {@code chdir} into such a directory,
     * whose relative paths later steps use.
     */
    ENTRY,
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
