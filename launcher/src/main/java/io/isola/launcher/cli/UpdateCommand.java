package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.api.Resources;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code isola update [OPTIONS] CONTAINER...}: new limits for running containers' cgroups, as
 * docker update. Every container is checked before any is changed; the limits not named stay.
 */
@Command(
        name = "update",
        description = {
            "Change the resource limits of running containers, as docker update.",
            "Differs from Docker: only running containers (the limits are their cgroups'); a later",
            "start or restart runs with the limits given to run; --restart and --kernel-memory are not",
            "supported by isola."
        })
final class UpdateCommand extends ContainerVerb {

    @Mixin
    private LimitOptions limits = new LimitOptions();

    @Option(
            names = {
                "--restart",
                "--kernel-memory",
                "--blkio-weight",
                "--cpu-period",
                "--cpu-quota",
                "--cpuset-mems",
                "--cpu-rt-period",
                "--cpu-rt-runtime"
            },
            paramLabel = "VALUE",
            hidden = true)
    private List<String> unsupported;

    @Override
    public Integer call() throws InterruptedException {
        if (unsupported != null) {
            List<String> names = List.of(spec().findOption("--restart").names());
            throw new IsolaException("update: "
                    + spec().commandLine().getParseResult().originalArgs().stream()
                            .map(a -> a.split("=", 2)[0])
                            .filter(names::contains)
                            .findFirst()
                            .orElse("that option")
                    + " is not supported by isola; update takes --memory, --memory-swap,"
                    + " --memory-reservation, --cpus, --cpu-shares, --cpuset-cpus and --pids-limit");
        }
        Resources resources = resources();
        if (resources.isEmpty()) {
            throw new IsolaException(
                    "update: give at least one limit (--memory, --memory-swap, --memory-reservation, --cpus,"
                            + " --cpu-shares, --cpuset-cpus, --pids-limit)");
        }
        Lifecycle lifecycle = lifecycle();
        List<ContainerState> states =
                ids().stream().map(id -> lifecycle.cgroupOf(id, "update")).toList();
        try (CgroupAccess cgroups = CgroupAccess.open(parent().config())) {
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
        Resources.Builder builder = Resources.builder();
        try {
            limits.addTo(builder);
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IsolaException(e.getMessage(), e);
        }
    }
}
