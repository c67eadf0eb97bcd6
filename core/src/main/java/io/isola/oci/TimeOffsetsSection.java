package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.TimeNamespace;
import java.time.Duration;

/**
 * {@code linux.timeOffsets} of a new time namespace ({@code {"monotonic": {"secs": S, "nanosecs":
 * N}, "boottime": ...}}); offsets without a new time namespace are refused, as runc refuses them.
 */
final class TimeOffsetsSection {

    private static final String FIELD = "linux.timeOffsets";

    private TimeOffsetsSection() {}

    static TimeNamespace read(ConfigFields fields) {
        JsonNode offsets = fields.take(FIELD);
        if (offsets == null) {
            return TimeNamespace.NO_OFFSETS;
        }
        if (!offsets.isObject()) {
            throw ConfigFields.refuse(FIELD, "expected an object with monotonic and boottime offsets");
        }
        offsets.fieldNames().forEachRemaining(clock -> {
            if (!clock.equals("monotonic") && !clock.equals("boottime")) {
                throw ConfigFields.refuse(FIELD + "." + clock, "a time namespace offsets only monotonic and boottime");
            }
        });
        return new TimeNamespace(offset(offsets, "monotonic"), offset(offsets, "boottime"));
    }

    /** Offsets for a time namespace the container does not create. */
    static void refuseWithoutNamespace(ConfigFields fields) {
        if (fields.at(FIELD) != null) {
            throw ConfigFields.refuse(
                    FIELD,
                    "offsets for a time namespace the container does not create; expected a"
                            + " \"time\" entry without a path in linux.namespaces");
        }
    }

    private static Duration offset(JsonNode offsets, String clock) {
        JsonNode value = offsets.get(clock);
        if (value == null || value.isNull()) {
            return Duration.ZERO;
        }
        JsonNode secs = value.path("secs");
        JsonNode nanos = value.path("nanosecs");
        if (!(secs.isMissingNode() || secs.isIntegralNumber())
                || !(nanos.isMissingNode() || nanos.isIntegralNumber())
                || nanos.asLong() < 0
                || nanos.asLong() >= 1_000_000_000L) {
            throw ConfigFields.refuse(
                    FIELD + "." + clock, value + ": expected {\"secs\": seconds, \"nanosecs\": 0 to 999999999}");
        }
        return Duration.ofSeconds(secs.asLong(), nanos.asLong());
    }
}
