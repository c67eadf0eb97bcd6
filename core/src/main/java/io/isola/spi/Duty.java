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
    MOUNT_PROC
}
