package io.isola.api;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A reading of a container's resource use.
 *
 * @param memoryUsage bytes of memory charged to the container now
 * @param memoryLimit its memory limit in bytes, empty when unlimited
 * @param cpuTime CPU time used by all its processes so far
 * @param pids how many processes (and threads) it has now
 * @param pidsLimit the most it may have, empty when unlimited
 * @param memoryEvents cgroup v2's {@code memory.events} counters ({@code high}, {@code max},
 *     {@code oom}, {@code oom_kill}, ...), empty where the host has none
 * @param pressure stall information by resource ({@code cpu}, {@code memory}, {@code io}),
 *     empty where the kernel offers none for the container's cgroup
 * @param blockRead bytes its processes read from block devices, over all devices (0 where the
 *     host counts none for it: no io controller in its cgroup)
 * @param blockWritten bytes they wrote to block devices, counted alike
 * @since 1.5
 */
public record ResourceStats(
        long memoryUsage,
        OptionalLong memoryLimit,
        Duration cpuTime,
        long pids,
        OptionalLong pidsLimit,
        Map<String, Long> memoryEvents,
        Map<String, Pressure> pressure,
        long blockRead,
        long blockWritten) {

    public ResourceStats {
        // in the kernel's order, as the files list them
        memoryEvents = Collections.unmodifiableMap(new LinkedHashMap<>(memoryEvents));
        pressure = Collections.unmodifiableMap(new LinkedHashMap<>(pressure));
    }

    /** Without block I/O (as read before it was offered). */
    public ResourceStats(
            long memoryUsage,
            OptionalLong memoryLimit,
            Duration cpuTime,
            long pids,
            OptionalLong pidsLimit,
            Map<String, Long> memoryEvents,
            Map<String, Pressure> pressure) {
        this(memoryUsage, memoryLimit, cpuTime, pids, pidsLimit, memoryEvents, pressure, 0, 0);
    }

    /** Without memory events and pressure (as read before they were offered). */
    public ResourceStats(
            long memoryUsage, OptionalLong memoryLimit, Duration cpuTime, long pids, OptionalLong pidsLimit) {
        this(memoryUsage, memoryLimit, cpuTime, pids, pidsLimit, Map.of(), Map.of());
    }
}
