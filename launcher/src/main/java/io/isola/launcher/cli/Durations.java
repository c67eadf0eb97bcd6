package io.isola.launcher.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Lengths of time as Docker words them ("Less than a second", "5 minutes", "About an hour", "3 days"). */
final class Durations {

    private Durations() {}

    /** Docker's go-units HumanDuration. */
    static String human(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toMinutes() / 60.0);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return hours / 24 / 365 + " years";
    }

    /** "5 minutes ago" for an ISO instant; "" when there is none. */
    static String ago(String instant) {
        Instant at = parse(instant);
        return at == null ? "" : human(Duration.between(at, Instant.now())) + " ago";
    }

    static Instant parse(String instant) {
        try {
            return instant == null ? null : Instant.parse(instant);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
