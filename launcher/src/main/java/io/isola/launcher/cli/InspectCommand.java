package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.api.ResourceStats;
import io.isola.launcher.cli.format.InspectOutput;
import io.isola.launcher.cli.run.RunCommand;
import io.isola.launcher.health.HealthState;
import io.isola.launcher.volume.VolumeStore;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Inspection;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.Relaunch;
import io.isola.lifecycle.StateStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code isola inspect ID...}: a JSON array, one object per container (see {@link Inspection});
 * a running container with a cgroup also shows its memory events and pressure, read through the
 * cgroup plugin (booted only when some container has a cgroup to read).
 */
@Command(
        name = "inspect",
        description = {
            "Show containers' config, state, namespaces and cgroup events as JSON.",
            "-f takes json or a Go template, run once per container ({{.State.Status}}, {{.Config.Cmd}},",
            "{{json .NetworkSettings}}, {{index .Config.Env 0}}, {{range .Config.Env}}{{println .}}{{end}})."
        })
final class InspectCommand extends ContainerVerb {

    @Mixin
    private InspectFormat format;

    @Override
    public Integer call() throws InterruptedException, IOException {
        InspectOutput output = format.output();
        Lifecycle lifecycle = lifecycle();
        List<ContainerState> states = ids().stream().map(lifecycle::get).toList();
        List<Object> result = new ArrayList<>();
        VolumeStore volumes = VolumeStore.fromEnvironment();
        CgroupAccess cgroups = null;
        try {
            for (ContainerState state : states) {
                Map<String, Object> inspected = Inspection.of(state);
                inspected.put("Mounts", ContainerMounts.of(state, volumes));
                addOpenStdin(inspected, state);
                addHealth(inspected, lifecycle.store(), state);
                boolean ownNetwork = hasOwnNetwork(inspected);
                if (hasCgroup(state) || ownNetwork) {
                    cgroups = cgroups == null ? CgroupAccess.open(parent().config()) : cgroups;
                }
                if (hasCgroup(state)) {
                    cgroupOf(cgroups, state).ifPresent(c -> inspected.put("Cgroup", c));
                }
                Map<String, Object> settings = new LinkedHashMap<>();
                asMap(inspected.get("NetworkSettings")).forEach((k, v) -> settings.put(String.valueOf(k), v));
                settings.put("Networks", ownNetwork ? ContainerNetworks.of(cgroups.runtime(), state) : Map.of());
                inspected.put("NetworkSettings", settings);
                result.add(inspected);
            }
        } finally {
            if (cgroups != null) {
                cgroups.close();
            }
        }
        output.print(out(), result);
        return 0;
    }

    /** Docker's {@code Config.OpenStdin}: whether its run had -i (an engine's container: never). */
    private static void addOpenStdin(Map<String, Object> inspected, ContainerState state) {
        if (inspected.get("Config") instanceof Map<?, ?> config) {
            Relaunch run = state.isola() == null ? null : state.isola().relaunch();
            @SuppressWarnings("unchecked")
            Map<String, Object> writable = (Map<String, Object>) config;
            writable.put("OpenStdin", run != null && run.runArgs() != null && RunCommand.opensStdin(run.runArgs()));
        }
    }

    /** Docker's {@code State.Health}, for a container with a health check. */
    private static void addHealth(Map<String, Object> inspected, StateStore store, ContainerState state) {
        HealthState health = HealthState.of(store, state);
        if (health != null && inspected.get("State") instanceof Map<?, ?> status) {
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("Status", health.status());
            shown.put("FailingStreak", health.failingStreak());
            shown.put("Log", health.log());
            @SuppressWarnings("unchecked")
            Map<String, Object> writable = (Map<String, Object>) status;
            writable.put("Health", shown);
        }
    }

    /** Whether a running container has a network namespace other than the host's (Inspection's Namespaces). */
    private static boolean hasOwnNetwork(Map<String, Object> inspected) {
        Object net = asMap(inspected.get("Namespaces")).get("net");
        return net instanceof Map<?, ?> pair
                && pair.get("Container") != null
                && Boolean.FALSE.equals(pair.get("Shared"));
    }

    private static Map<?, ?> asMap(Object value) {
        return value instanceof Map<?, ?> map ? map : Map.of();
    }

    private static boolean hasCgroup(ContainerState state) {
        return state.status() == ContainerState.Status.RUNNING
                && Lifecycle.isLive(state)
                && state.isola() != null
                && state.isola().cgroup() != null
                && state.isola().cgroup().location() != null;
    }

    /** The v2 memory events and PSI of a running container; empty once it has ended (a race, not an error). */
    private static Optional<Map<String, Object>> cgroupOf(CgroupAccess cgroups, ContainerState state) {
        try {
            ResourceStats stats = cgroups.of(state).stats();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("MemoryEvents", stats.memoryEvents());
            c.put("Pressure", StatsCommand.pressure(stats));
            return Optional.of(c);
        } catch (IsolaException e) {
            return Optional.empty();
        }
    }
}
