package io.isola.internal.launch;

import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeMemory;

/**
 * Raw mode on the runtime's own terminal while a user is attached to a container's: every key goes
 * to the container, which does its own echo and line editing ({@link io.isola.api.HostTerminal}).
 */
final class RawTerminal {

    private static final int TERMIOS_BYTES = 64, TCSANOW = 0;

    private RawTerminal() {}

    /** Puts the terminal on {@code fd} in raw mode; closing the result restores it. No-op if not a terminal. */
    static AutoCloseable enter(int fd) {
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
