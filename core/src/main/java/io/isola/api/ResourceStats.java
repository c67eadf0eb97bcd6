package io.isola.api;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A reading of a container's resource use.
 *
 * @param memoryUsage bytes of memory charged to the container now
 * @param memoryLimit its memory limit in bytes, empty when unlimited
 * @param cpuTime CPU time used by all its processes so far
 * @param pids how many processes (and threads) it has now
 * @param pidsLimit the most it may have, empty when unlimited
 */
public record ResourceStats(long memoryUsage, OptionalLong memoryLimit, Duration cpuTime, long pids, OptionalLong pidsLimit) {}
