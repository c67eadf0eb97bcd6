package io.isola.launcher.cli;

import io.isola.api.Resources;
import picocli.CommandLine.Option;

/**
 * The limits that both {@code run} and {@code update} take, with Docker's names: one declaration,
 * so that the two verbs cannot drift apart in spelling or meaning.
 */
public final class LimitOptions {

    @Option(
            names = {"-m", "--memory"},
            paramLabel = "SIZE",
            description = "Memory limit, such as 512m or 1g.")
    private String memory;

    @Option(
            names = "--memory-swap",
            paramLabel = "SIZE",
            description = "Memory plus swap; -1 for unlimited swap (default: twice --memory).")
    private String memorySwap;

    @Option(
            names = "--memory-reservation",
            paramLabel = "SIZE",
            description = "Soft memory limit, reclaimed first above it (v2 memory.high, v1 soft limit).")
    private String memoryReservation;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU time limit in CPUs, such as 0.5.")
    private String cpus;

    @Option(
            names = {"-c", "--cpu-shares"},
            paramLabel = "N",
            description = "Relative CPU weight (default 1024).")
    private Integer cpuShares;

    @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs to run on, such as 0-1,3.")
    private String cpusetCpus;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Most processes at once; -1 for no limit.")
    private Long pidsLimit;

    /** Whether any of these limits was given. */
    public boolean any() {
        return memory != null
                || memorySwap != null
                || memoryReservation != null
                || cpus != null
                || cpuShares != null
                || cpusetCpus != null
                || pidsLimit != null;
    }

    /** Adds the limits given to {@code limits}; a bad value is an IllegalArgumentException naming it. */
    public void addTo(Resources.Builder limits) {
        if (memory != null) {
            limits.memory(memory);
        }
        if (memorySwap != null) {
            limits.memorySwap(memorySwap);
        }
        if (memoryReservation != null) {
            limits.memoryReservation(memoryReservation);
        }
        if (cpus != null) {
            limits.cpus(cpus);
        }
        if (cpuShares != null) {
            limits.cpuShares(cpuShares);
        }
        if (cpusetCpus != null) {
            limits.cpusetCpus(cpusetCpus);
        }
        if (pidsLimit != null) {
            limits.pidsLimit(pidsLimit);
        }
    }
}
