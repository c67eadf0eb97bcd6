package io.isola.api;

import java.time.Duration;
import java.util.Objects;

/**
 * Spec extension: a time namespace of the container's own (time_namespaces(7)), whose monotonic
 * and boot-time clocks run at the given offsets from the host's, as an OCI config.json's {@code
 * time} namespace and {@code linux.timeOffsets} ask. The offsets are fixed before the container's
 * first process enters it; the kernel refuses offsets that would put a clock below zero or too far.
 *
 * @param monotonic added to CLOCK_MONOTONIC
 * @param boottime added to CLOCK_BOOTTIME (and so to /proc/uptime)
 */
public record TimeNamespace(Duration monotonic, Duration boottime) {

    public static final TimeNamespace NO_OFFSETS = new TimeNamespace(Duration.ZERO, Duration.ZERO);

    public TimeNamespace {
        Objects.requireNonNull(monotonic, "monotonic");
        Objects.requireNonNull(boottime, "boottime");
    }

    /** The lines /proc/PID/timens_offsets takes: clock, seconds, nanoseconds. */
    public String offsetsFile() {
        return line("monotonic", monotonic) + line("boottime", boottime);
    }

    private static String line(String clock, Duration offset) {
        return clock + " " + offset.getSeconds() + " " + offset.getNano() + "\n";
    }
}
