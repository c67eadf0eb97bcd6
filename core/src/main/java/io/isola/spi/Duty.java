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
    BIND_REQUESTS
}
