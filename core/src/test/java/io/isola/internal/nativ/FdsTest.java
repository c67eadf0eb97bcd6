package io.isola.internal.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import jnr.constants.platform.OpenFlags;
import org.junit.jupiter.api.Test;

class FdsTest {

    /**
     * The open(2) flags written once in {@link Fds} are this platform's, as jnr-constants knows
     * them (O_DIRECTORY and O_NOFOLLOW differ between x86_64 and aarch64; O_PATH jnr-constants
     * lacks, and it is asm-generic's on both).
     */
    @Test
    void theOpenFlagsAreThePlatformsOwn() {
        Map<OpenFlags, Integer> ours = Map.of(
                OpenFlags.O_RDONLY, Fds.O_RDONLY,
                OpenFlags.O_WRONLY, Fds.O_WRONLY,
                OpenFlags.O_RDWR, Fds.O_RDWR,
                OpenFlags.O_CREAT, Fds.O_CREAT,
                OpenFlags.O_TRUNC, Fds.O_TRUNC,
                OpenFlags.O_APPEND, Fds.O_APPEND,
                OpenFlags.O_NONBLOCK, Fds.O_NONBLOCK,
                OpenFlags.O_CLOEXEC, Fds.O_CLOEXEC,
                OpenFlags.O_DIRECTORY, Fds.O_DIRECTORY,
                OpenFlags.O_NOFOLLOW, Fds.O_NOFOLLOW);
        ours.forEach((flag, value) -> assertEquals(flag.intValue(), value, flag.name()));
    }
}
