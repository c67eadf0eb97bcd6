package io.isola.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code inspect} shows of a container: its config, its state, its process, and each of its
 * namespaces as {@code /proc/<pid>/ns} names it, beside the host's (the runtime's own), so a
 * namespace the container shares with the host shows the same id on both sides.
 */
public final class Inspection {

    private Inspection() {}

    public static Map<String, Object> of(ContainerState state) {
        ContainerState.Extra extra = state.isola();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("Id", state.id());
        result.put("Name", extra == null ? null : extra.name());
        result.put("Created", state.created());
        boolean live = Lifecycle.isLive(state) && state.process().isAlive();

        Map<String, Object> status = new LinkedHashMap<>();
        DockerStatus docker = DockerStatus.of(state, live);
        boolean paused = docker == DockerStatus.PAUSED;
        status.put("Status", docker.word());
        status.put("Running", state.status() == ContainerState.Status.RUNNING && live);
        status.put("Pid", live ? state.pid() : 0);
        status.put("ExitCode", extra == null ? null : extra.exitCode());
        status.put("ExitSignal", extra == null ? null : extra.exitSignal());
        status.put("Paused", paused);
        // from the cgroup's OOM-kill counter, read by the monitor as it reaped the container
        status.put(
                "OOMKilled",
                extra != null
                        && extra.cgroup() != null
                        && Boolean.TRUE.equals(extra.cgroup().oomKilled()));
        status.put("StartedAt", extra == null ? null : extra.startedAt());
        status.put("FinishedAt", extra == null ? null : extra.finishedAt());
        status.put("Note", extra == null ? null : extra.note());
        result.put("State", status);

        if (extra != null && extra.spec() != null) {
            SavedSpec spec = extra.spec();
            Map<String, Object> config = new LinkedHashMap<>();
            // numeric, as the container's process runs (docker echoes --user as given; "" for root)
            config.put(
                    "User",
                    spec.user() == null
                            ? ""
                            : spec.user().uid() + ":" + spec.user().gid());
            config.put("Cmd", spec.command());
            config.put(
                    "Env",
                    spec.env() == null
                            ? List.of()
                            : spec.env().entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue())
                                    .toList());
            config.put("WorkingDir", spec.cwd());
            config.put("Hostname", spec.hostname());
            config.put("Domainname", spec.domainname());
            config.put("Tty", Boolean.TRUE.equals(spec.terminal()));
            config.put("Isolators", spec.isolators());
            config.put(
                    "Image",
                    spec.root() == null || spec.root().image() == null
                            ? ""
                            : spec.root().image());
            // a container of run's labels; an engine's container's annotations are its bundle's, not labels
            config.put(
                    "Labels", state.bundle() != null || state.annotations() == null ? Map.of() : state.annotations());
            // Docker leaves both out of Config unless the run or the image set them
            if (spec.stop() != null && spec.stop().signalName() != null) {
                config.put("StopSignal", spec.stop().signalName());
            }
            if (spec.stop() != null && spec.stop().timeoutSeconds() != null) {
                config.put("StopTimeout", spec.stop().timeoutSeconds());
            }
            if (spec.health() != null) {
                config.put("Healthcheck", spec.health());
            }
            result.put("Config", config);
        }
        result.put("RestartCount", extra == null ? 0 : extra.restartCount());
        if (extra != null && (extra.relaunch() != null || extra.spec() != null)) {
            Map<String, Object> host = extra.spec() == null ? new LinkedHashMap<>() : HostConfigView.of(extra.spec());
            host.put(
                    "RestartPolicy",
                    restartPolicy(
                            extra.relaunch() == null ? null : extra.relaunch().policy()));
            result.put("HostConfig", host);
        }
        result.put("Bundle", state.bundle());
        result.put("LogPath", extra == null ? null : extra.logFile());
        result.put(
                "Monitor",
                extra == null || extra.monitor() == null
                        ? null
                        : Map.of(
                                "Pid",
                                extra.monitor().pid(),
                                "Running",
                                extra.monitor().isAlive()));
        result.put("Namespaces", live ? namespaces(state.pid()) : Map.of());
        result.put("CgroupPaths", live ? cgroups(state.pid()) : Map.of());
        result.put("NetworkSettings", live ? NetworkAddresses.settings(state.pid()) : Map.of("IPAddress", ""));
        return result;
    }

    /** Docker's {@code HostConfig.RestartPolicy}: the policy's name and its retry count. */
    private static Map<String, Object> restartPolicy(String policy) {
        String value = policy == null ? Relaunch.NO : policy;
        int colon = value.indexOf(':');
        Map<String, Object> restart = new LinkedHashMap<>();
        restart.put("Name", colon < 0 ? value : value.substring(0, colon));
        restart.put("MaximumRetryCount", colon < 0 ? 0 : Integer.parseInt(value.substring(colon + 1)));
        return restart;
    }

    static Map<String, Object> namespaces(long pid) {
        Map<String, Object> namespaces = new LinkedHashMap<>();
        for (Namespace namespace : Namespace.values()) {
            String container = link(Path.of("/proc", Long.toString(pid), "ns", namespace.procName()));
            String host = link(Path.of("/proc/self/ns", namespace.procName()));
            if (container == null && host == null) {
                continue;
            }
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("Container", container);
            pair.put("Host", host);
            pair.put("Shared", container != null && container.equals(host));
            namespaces.put(namespace.procName(), pair);
        }
        return namespaces;
    }

    private static Map<String, String> cgroups(long pid) {
        try {
            Map<String, String> paths = new LinkedHashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                String[] parts = line.split(":", 3);
                if (parts.length == 3) {
                    paths.put(parts[1].isEmpty() ? "unified" : parts[1], parts[2]);
                }
            }
            return paths;
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static String link(Path path) {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code value} as JSON on one line, as hooks and engines read it. */
    public static String compactJson(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** {@code value} as indented JSON. */
    public static String json(Object value) {
        try {
            return StateStore.JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
