package io.isola.spi;

/**
 * Work that more than one isolator could do, of which an isolator may declare itself in charge
 * ({@link NamespaceIsolator#duties()}), so that the others leave it alone.
 */
public enum Duty {
    /**
     * Mounting the container's {@code /proc}. The PID isolator does it on the host's {@code /proc}
     * unless a mount isolator that builds the container's root (and mounts proc inside it) is present.
     */
    MOUNT_PROC,

    /**
     * Mounting the {@linkplain IsolationRequest#requestBind bind mounts other isolators ask for}
     * inside the container's root, before {@code pivot_root}. Without an isolator in charge of it,
     * an isolator that wants a file in the container mounts it itself (or goes without).
     *
     * @since 1.1
     */
    BIND_REQUESTS,

    /**
     * Mounting the container's {@code /sys/fs/cgroup}. The cgroup isolator mounts the container's
     * own cgroup file systems there, inside its cgroup namespace; the mount isolator, which builds
     * {@code /sys}, then leaves that mount point empty for it. It must not bring the host's mount
     * there: on a cgroup v2 host that is the superblock the owner mounts again, and the kernel
     * refuses one superblock twice on the same mount point ({@code EBUSY}). Without an isolator in
     * charge of it, the container sees the host's cgroup file systems read-only, as runc gives
     * them to a container without a cgroup namespace.
     *
     * @since 1.2
     */
    MOUNT_CGROUPFS
}
