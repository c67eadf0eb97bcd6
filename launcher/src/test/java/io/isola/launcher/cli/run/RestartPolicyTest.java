package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {

    @Test
    void dockersPoliciesAndWhenTheyRestart() {
        assertFalse(RestartPolicy.parse("no").restarts(1, 0, false));
        assertTrue(RestartPolicy.parse("always").restarts(0, 100, false));
        assertTrue(RestartPolicy.parse("unless-stopped").restarts(0, 0, false));
        assertFalse(RestartPolicy.parse("always").restarts(0, 0, true), "a user's stop wins");
        RestartPolicy twice = RestartPolicy.parse("on-failure:2");
        assertTrue(twice.restarts(3, 1, false));
        assertFalse(twice.restarts(3, 2, false));
        assertFalse(twice.restarts(0, 0, false), "a success is not a failure");
        assertTrue(RestartPolicy.parse("on-failure").restarts(1, 1000, false), "no count: no limit");
        assertEquals("on-failure:2", twice.toString());
    }

    @Test
    void badPoliciesAreRefusedNamingThem() {
        assertEquals(
                "restart policy \"sometimes\": expected no, always, unless-stopped, on-failure or on-failure:N",
                assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("sometimes"))
                        .getMessage());
        assertEquals(
                "restart policy \"always:3\": a retry count is for on-failure only",
                assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("always:3"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("on-failure:-1"));
        assertThrows(IllegalArgumentException.class, () -> RestartPolicy.parse("on-failure:x"));
    }

    @Test
    void theBackOffDoublesUpToAMinuteAndStartsAgainAfterALongRun() {
        assertEquals(Duration.ofMillis(100), RestartPolicy.delay(0, Duration.ZERO));
        assertEquals(Duration.ofMillis(400), RestartPolicy.delay(2, Duration.ofSeconds(1)));
        assertEquals(Duration.ofMinutes(1), RestartPolicy.delay(20, Duration.ZERO));
        assertEquals(Duration.ofMillis(100), RestartPolicy.delay(20, Duration.ofSeconds(10)));
    }
}
