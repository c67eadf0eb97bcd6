package io.isola.internal.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SignalsTest {

    /** The numbers written once in {@link Signals} are this platform's, as jnr-constants knows them. */
    @Test
    void theNumbersAreThePlatformsOwn() {
        for (Map.Entry<String, Integer> entry : Signals.names().entrySet()) {
            int platform = jnr.constants.platform.Signal.valueOf("SIG" + entry.getKey())
                    .intValue();
            assertEquals(platform, entry.getValue(), "SIG" + entry.getKey());
        }
    }

    @Test
    void aNameIsTakenWithOrWithoutItsPrefixInAnyCase() {
        assertEquals(Signals.SIGKILL, Signals.byName("sigkill").orElseThrow());
        assertEquals(Signals.SIGWINCH, Signals.byName("WINCH").orElseThrow());
        assertEquals(java.util.Optional.empty(), Signals.byName("SIGNOPE"));
    }
}
