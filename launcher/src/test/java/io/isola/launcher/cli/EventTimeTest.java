package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The times docker events takes for --since and --until. */
class EventTimeTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void rfc3339UnixSecondsAndDurationsBeforeNow() {
        assertEquals(Instant.parse("2024-01-02T15:04:05Z"), EventTime.parse("--since", "2024-01-02T15:04:05Z", NOW));
        assertEquals(
                Instant.parse("2024-01-02T14:04:05Z"), EventTime.parse("--since", "2024-01-02T15:04:05+01:00", NOW));
        assertEquals(
                Instant.ofEpochSecond(1_700_000_000, 500_000_000), EventTime.parse("--since", "1700000000.5", NOW));
        assertEquals(NOW.minusSeconds(5400), EventTime.parse("--since", "1h30m", NOW));
        assertEquals(NOW.minusMillis(1500), EventTime.parse("--until", "1.5s", NOW));
        assertEquals(NOW, EventTime.parse("--until", "0s", NOW));
    }

    @Test
    void anythingElseIsRefusedNamingTheForms() {
        for (String bad : new String[] {"yesterday", "1h30", "m", "-5m", "5m ago"}) {
            String message = assertThrows(IllegalArgumentException.class, () -> EventTime.parse("--since", bad, NOW))
                    .getMessage();
            assertTrue(message.startsWith("--since \"" + bad + "\": expected an RFC 3339 time"), message);
        }
    }
}
