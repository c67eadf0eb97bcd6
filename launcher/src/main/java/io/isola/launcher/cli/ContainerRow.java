package io.isola.launcher.cli;

import io.isola.launcher.cli.format.Struct;
import io.isola.launcher.health.HealthState;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.DockerStatus;
import io.isola.lifecycle.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One container as {@code ps} shows it, with Docker's field names for {@code --format}
 * ({@code {{.ID}}}, {@code {{.Names}}}, {@code {{.Status}}}, ...) and its column titles.
 */
final class ContainerRow {

    /** Docker's ps truncates the command to this many characters. */
    private static final int COMMAND_WIDTH = 20;

    private static final DateTimeFormatter CREATED_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z 'UTC'").withZone(ZoneOffset.UTC);

    private ContainerRow() {}

    static Struct header() {
        return new Struct("container")
                .with("ID", "CONTAINER ID")
                .with("Image", "IMAGE")
                .with("Command", "COMMAND")
                .with("CreatedAt", "CREATED AT")
                .with("RunningFor", "CREATED")
                .with("Ports", "PORTS")
                .with("State", "STATE")
                .with("Status", "STATUS")
                .with("Names", "NAMES")
                .with("Labels", "LABELS")
                .with("Mounts", "MOUNTS")
                .with("Networks", "NETWORKS")
                .with("Size", "SIZE")
                .with("RestartCount", "RESTARTS");
    }

    static Struct of(StateStore store, ContainerState state, boolean noTrunc) {
        ContainerState.Extra extra = state.isola();
        String command = extra == null || extra.spec() == null
                ? ""
                : String.join(" ", extra.spec().command());
        if (!noTrunc && command.length() > COMMAND_WIDTH) {
            command = command.substring(0, COMMAND_WIDTH - 1) + "…";
        }
        Instant created = Durations.parse(state.created());
        return new Struct("container")
                .with("ID", noTrunc ? state.id() : shortId(state.id()))
                .with("Image", image(state))
                .with("Command", "\"" + command + "\"")
                .with("CreatedAt", created == null ? "" : CREATED_AT.format(created))
                .with("RunningFor", Durations.ago(state.created()))
                .with(
                        "Ports",
                        PublishedPort.of(state).stream()
                                .map(PublishedPort::toString)
                                .collect(Collectors.joining(", ")))
                .with("State", DockerStatus.of(state).word())
                .with("Status", dockerStatus(store, state))
                .with("Names", extra == null || extra.name() == null ? "" : extra.name())
                .with(
                        "Labels",
                        new TreeMap<>(labels(state))
                                .entrySet().stream() // by key: Go's maps have no order
                                        .map(e -> e.getKey() + "=" + e.getValue())
                                        .collect(Collectors.joining(",")))
                .with("Mounts", "")
                .with("Networks", "")
                .with("Size", "")
                .with("RestartCount", (long) (extra == null ? 0 : extra.restartCount()));
    }

    static String shortId(String id) {
        return id.substring(0, Math.min(12, id.length()));
    }

    /** The image's name, or what the container stands on without one: "(rootfs) DIR" or "(host)". */
    static String image(ContainerState state) {
        var spec = state.isola() == null ? null : state.isola().spec();
        if (spec == null || spec.root() == null) {
            return state.bundle() != null ? "(bundle)" : "(host)";
        }
        return spec.root().image() != null
                ? spec.root().image()
                : "(rootfs) " + spec.root().rootfs();
    }

    /** Docker's labels of a container of run; an engine's container's annotations are not labels. */
    static Map<String, String> labels(ContainerState state) {
        return state.bundle() != null || state.annotations() == null ? Map.of() : state.annotations();
    }

    /** Docker's STATUS words: "Up 5 minutes (Paused)", "Exited (3) 2 minutes ago", "Created", "Restarting (1) ...". */
    static String dockerStatus(StateStore store, ContainerState state) {
        ContainerState.Extra extra = state.isola();
        String started = extra == null ? null : extra.startedAt();
        return switch (DockerStatus.of(state)) {
            case RUNNING -> "Up " + since(started) + health(store, state);
            case PAUSED -> "Up " + since(started) + " (Paused)";
            case CREATED -> "Created";
            case RESTARTING ->
                "Restarting (" + (extra.exitCode() == null ? 0 : extra.exitCode()) + ") "
                        + Durations.ago(extra.finishedAt());
            case EXITED ->
                extra != null && extra.exitCode() != null
                        ? "Exited (" + extra.exitCode() + ") " + Durations.ago(extra.finishedAt())
                        : "Exited";
            case DEAD -> "Dead";
        };
    }

    /** " (healthy)" and the like for a container with a health check, as Docker's ps adds it; else "". */
    private static String health(StateStore store, ContainerState state) {
        HealthState health = HealthState.of(store, state);
        return health == null ? "" : health.statusSuffix();
    }

    private static String since(String instant) {
        Instant at = Durations.parse(instant);
        return at == null ? "" : Durations.human(Duration.between(at, Instant.now()));
    }
}
