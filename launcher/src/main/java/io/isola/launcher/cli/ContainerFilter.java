package io.isola.launcher.cli;

import io.isola.launcher.health.HealthState;
import io.isola.launcher.volume.VolumeStore;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.DockerStatus;
import io.isola.lifecycle.StateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code ps --filter KEY=VALUE}, as Docker's: {@code status} (created, restarting, running,
 * paused, exited, dead), {@code name} (a part of the name), {@code label} (KEY or KEY=VALUE),
 * {@code ancestor} (the image, NAME or NAME:TAG), {@code id} (a prefix of the id) and {@code volume}
 * (a volume's name, or a path the container mounts something on or from) and {@code health}
 * (starting, healthy, unhealthy, none). Filters of
 * one key match when any does; of different keys, when all do.
 */
final class ContainerFilter implements Predicate<ContainerState> {

    enum Key {
        STATUS,
        NAME,
        LABEL,
        ANCESTOR,
        ID,
        VOLUME,
        HEALTH
    }

    private final Map<Key, List<String>> values = new LinkedHashMap<>();
    /** Where the containers' health is read from. */
    private final StateStore store;

    private ContainerFilter(StateStore store) {
        this.store = store;
    }

    static ContainerFilter parse(List<String> filters, StateStore store) {
        ContainerFilter filter = new ContainerFilter(store);
        for (String filterText : filters) {
            int equals = filterText.indexOf('=');
            Key key = null;
            for (Key candidate : Key.values()) {
                if (equals > 0 && candidate.name().equalsIgnoreCase(filterText.substring(0, equals))) {
                    key = candidate;
                }
            }
            if (key == null) {
                throw new IllegalArgumentException(
                        "filter \"" + filterText + "\": expected status=, name=, label=, ancestor=,"
                                + " id=, volume= or health= followed by a value");
            }
            String value = filterText.substring(equals + 1);
            if (key == Key.STATUS) {
                DockerStatus.parse(value);
            }
            if (key == Key.HEALTH
                    && !List.of("starting", "healthy", "unhealthy", "none").contains(value)) {
                throw new IllegalArgumentException(
                        "filter \"" + filterText + "\": expected health=starting, healthy, unhealthy or none");
            }
            filter.values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return filter;
    }

    /** Whether a status is asked for: then stopped containers are listed without -a, as in Docker. */
    boolean namesStatus() {
        return values.containsKey(Key.STATUS);
    }

    @Override
    public boolean test(ContainerState state) {
        for (Map.Entry<Key, List<String>> entry : values.entrySet()) {
            if (entry.getValue().stream().noneMatch(value -> matches(entry.getKey(), value, state))) {
                return false;
            }
        }
        return true;
    }

    private boolean matches(Key key, String value, ContainerState state) {
        return switch (key) {
            case STATUS -> DockerStatus.of(state).word().equals(value);
            case NAME -> state.name() != null && state.name().contains(value);
            case ID -> state.id().startsWith(value);
            case LABEL -> {
                Map<String, String> labels = ContainerRow.labels(state);
                int equals = value.indexOf('=');
                yield equals < 0
                        ? labels.containsKey(value)
                        : value.substring(equals + 1).equals(labels.get(value.substring(0, equals)));
            }
            case VOLUME ->
                state.isola() != null
                        && state.isola().spec() != null
                        && state.isola().spec().volumes() != null
                        && state.isola().spec().volumes().stream()
                                .anyMatch(v -> v.target().equals(value)
                                        || v.source().equals(value)
                                        || VolumeStore.fromEnvironment()
                                                .nameOf(Path.of(v.source()))
                                                .filter(value::equals)
                                                .isPresent());
            case HEALTH -> HealthState.word(store, state).equals(value);
            case ANCESTOR -> {
                String image = ContainerRow.image(state);
                yield image.equals(value) || image.equals(value + ":latest");
            }
        };
    }
}
