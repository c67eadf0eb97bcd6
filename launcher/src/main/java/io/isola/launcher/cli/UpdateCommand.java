package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.api.Resources;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code isola update [OPTIONS] CONTAINER...}: new limits for running containers' cgroups, as
 * docker update. Every container is checked before any is changed; the limits not named stay.
 */
@Command(name = "update", description = {"Change the resource limits of running containers, as docker update.",
    "Differs from Docker: only running containers (the limits are their cgroups'); a later",
    "start or restart runs with the limits given to run; --restart and --kernel-memory are not",
    "supported by isola."})
final class UpdateCommand extends ContainerVerb {

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit, such as 512m or 1g.")
    private String memory;

    @Option(names = "--memory-swap", paramLabel = "SIZE", description = "Memory plus swap; -1 for unlimited swap (default: twice --memory).")
    private String memorySwap;

    @Option(names = "--memory-reservation", paramLabel = "SIZE", description = "Soft memory limit.")
    private String memoryReservation;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU time limit in CPUs, such as 0.5.")
    private String cpus;

    @Option(names = {"-c", "--cpu-shares"}, paramLabel = "N", description = "Relative CPU weight (Docker's shares, 1024 the default).")
    private Integer cpuShares;

    @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs to run on, such as 0-1,3.")
    private String cpusetCpus;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Most processes at once; -1 for no limit.")
    private Long pidsLimit;

    @Option(names = {"--restart", "--kernel-memory", "--blkio-weight", "--cpu-period", "--cpu-quota", "--cpuset-mems",
        "--cpu-rt-period", "--cpu-rt-runtime"}, paramLabel = "VALUE", hidden = true)
    private List<String> unsupported;

    @Override
    public Integer call() throws InterruptedException {
        if (unsupported != null) {
            List<String> names = List.of(spec().findOption("--restart").names());
            throw new IsolaException("update: " + spec().commandLine().getParseResult().originalArgs().stream()
                    .map(a -> a.split("=", 2)[0]).filter(names::contains).findFirst().orElse("that option")
                    + " is not supported by isola; update takes --memory, --memory-swap,"
                    + " --memory-reservation, --cpus, --cpu-shares, --cpuset-cpus and --pids-limit");
        }
        Resources resources = resources();
        if (resources.isEmpty()) {
            throw new IsolaException("update: give at least one limit (--memory, --memory-swap, --memory-reservation, --cpus,"
                    + " --cpu-shares, --cpuset-cpus, --pids-limit)");
        }
        Lifecycle lifecycle = lifecycle();
        List<ContainerState> states = ids().stream().map(id -> lifecycle.cgroupOf(id, "update")).toList();
        try (CgroupAccess cgroups = CgroupAccess.open()) {
            for (int i = 0; i < states.size(); i++) {
                cgroups.of(states.get(i)).update(resources);
                lifecycle.recordLimits(states.get(i), resources);
                out().println(ids().get(i));
            }
        }
        out().flush();
        return 0;
    }

    private Resources resources() {
        Resources.Builder limits = Resources.builder();
        try {
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
            return limits.build();
        } catch (IllegalArgumentException e) {
            throw new IsolaException(e.getMessage(), e);
        }
    }
}
