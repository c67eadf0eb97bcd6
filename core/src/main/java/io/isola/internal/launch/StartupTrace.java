package io.isola.internal.launch;

import java.lang.management.ManagementFactory;

/**
 * Milestones of a command's start on stderr, with {@code -Disola.trace.startup=true}: where a cold
 * {@code isola run} spends its time (JVM boot, parse, framework, prepare, clone, exit), for
 * docs/performance.md. Off, a mark costs one static read.
 */
public final class StartupTrace {

    private static final boolean ON = Boolean.getBoolean("isola.trace.startup");
    /** Milliseconds since the JVM started, at {@link System#nanoTime} zero; set by the first mark. */
    private static long originMillis = Long.MIN_VALUE;

    private StartupTrace() {}

    public static void mark(String milestone) {
        if (ON) {
            print(milestone);
        }
    }

    private static synchronized void print(String milestone) {
        long now = System.nanoTime() / 1_000_000;
        long at;
        if (originMillis == Long.MIN_VALUE) {
            // the management classes this loads are tracing's own cost: left out of later marks
            long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
            long cost = System.nanoTime() / 1_000_000 - now;
            at = uptime - cost;
            originMillis = at - now - cost;
        } else {
            at = originMillis + now;
        }
        // the CPU time of every thread (JIT and GC too): on a busy host the wall clock says little
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1_000_000;
        System.err.printf(
                "isola-trace %6d ms %6d ms cpu %-14s %s%n",
                at, cpu, Thread.currentThread().getName(), milestone);
    }
}
