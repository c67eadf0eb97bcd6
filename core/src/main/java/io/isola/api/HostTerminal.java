package io.isola.api;

/**
 * The terminal the runtime itself runs in, for a CLI that attaches a user to a container's
 * {@link Terminal}: its size, and raw mode while attached (every key goes to the container,
 * which does its own echo and line editing).
 */
public final class HostTerminal {

    private HostTerminal() {}

    /** {@code [columns, rows]} of the terminal on {@code fd}, or null when {@code fd} is not one. */
    public static int[] size(int fd) {
        return Runtimes.provider().terminalSize(fd);
    }

    /** Puts the terminal on {@code fd} in raw mode; closing the result restores it. No-op if not a terminal. */
    public static AutoCloseable raw(int fd) {
        return Runtimes.provider().rawTerminal(fd);
    }
}
