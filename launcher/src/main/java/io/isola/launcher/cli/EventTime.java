package io.isola.launcher.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time as {@code docker events --since/--until} takes it: RFC 3339 ({@code
 * 2024-01-02T15:04:05Z}), Unix seconds with an optional fraction ({@code 1700000000.5}), or a
 * Go duration before now ({@code 10m}, {@code 1h30m}, {@code 500ms}).
 */
final class EventTime {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");

    private EventTime() {}

    static Instant parse(String option, String value, Instant now) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            // not RFC 3339: one of the other forms
        }
        if (value.matches("\\d+(\\.\\d+)?")) {
            BigDecimal seconds = new BigDecimal(value);
            return Instant.ofEpochSecond(
                    seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        Matcher part = DURATION.matcher(value);
        Duration total = Duration.ZERO;
        int at = 0;
        while (part.find() && part.start() == at) {
            BigDecimal amount = new BigDecimal(part.group(1));
            long nanosPerUnit = switch (part.group(2)) {
                case "ns" -> 1L;
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            total = total.plusNanos(
                    amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValue());
            at = part.end();
        }
        if (at == 0 || at != value.length()) {
            throw new IllegalArgumentException(
                    option + " \"" + value + "\": expected an RFC 3339 time (2024-01-02T15:04:05Z),"
                            + " Unix seconds (1700000000) or a duration before now (10m, 1h30m)");
        }
        return now.minus(total);
    }
}
