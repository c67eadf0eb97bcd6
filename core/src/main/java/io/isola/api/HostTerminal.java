package io.isola.api;

import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeMemory;
import io.isola.internal.nativ.Pty;

/**
 * The terminal the runtime itself runs in, for a CLI that attaches a user to a container's
 * {@link Terminal}: its size, and raw mode while attached (every key goes to the container,
 * which does its own echo and line editing).
 */
public final class HostTerminal {

    private static final int TERMIOS_BYTES = 64, TCSANOW = 0;

    private HostTerminal() {}

    /** {@code [columns, rows]} of the terminal on {@code fd}, or null when {@code fd} is not one. */
    public static int[] size(int fd) {
        return Pty.size(fd);
    }

    /** Puts the terminal on {@code fd} in raw mode; closing the result restores it. No-op if not a terminal. */
    public static AutoCloseable raw(int fd) {
        Native n = Native.get();
        NativeMemory saved = new NativeMemory(TERMIOS_BYTES);
        if (n.libc().tcgetattr(fd, saved.address()) < 0) {
            saved.close();
            return () -> {};
        }
        try (NativeMemory raw = new NativeMemory(TERMIOS_BYTES)) {
            NativeMemory.copy(saved.address(), raw.address(), TERMIOS_BYTES);
            n.libc().cfmakeraw(raw.address());
            n.libc().tcsetattr(fd, TCSANOW, raw.address());
        }
        return () -> {
            n.libc().tcsetattr(fd, TCSANOW, saved.address());
            saved.close();
        };
    }
}
