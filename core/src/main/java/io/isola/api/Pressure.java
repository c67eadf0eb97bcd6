package io.isola.api;

import java.util.Optional;

/**
 * Pressure stall information (PSI) of one resource of a container, from its cgroup's
 * {@code cpu.pressure}, {@code memory.pressure} or {@code io.pressure}: the share of time some (or
 * all) of its tasks waited for the resource.
 *
 * @param some time at least one task stalled
 * @param full time every non-idle task stalled at once; empty where the kernel reports none
 */
public record Pressure(Line some, Optional<Line> full) {

    /**
     * One line of a pressure file.
     *
     * @param avg10 percent of the last 10 s
     * @param avg60 percent of the last 60 s
     * @param avg300 percent of the last 300 s
     * @param totalMicros stalled time since the cgroup was made, in microseconds
     */
    public record Line(double avg10, double avg60, double avg300, long totalMicros) {}
}
