package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code ps --filter KEY=VALUE}, as Docker's: {@code status} (created, restarting, running,
 * paused, exited, dead), {@code name} (a part of the name), {@code label} (KEY or KEY=VALUE),
 * {@code ancestor} (the image, NAME or NAME:TAG) and {@code id} (a prefix of the id). Filters of
 * one key match when any does; of different keys, when all do.
 */
final class ContainerFilter implements Predicate<ContainerState> {

    enum Key { STATUS, NAME, LABEL, ANCESTOR, ID }

    private final Map<Key, List<String>> values = new LinkedHashMap<>();

    static ContainerFilter parse(List<String> filters) {
        ContainerFilter filter = new ContainerFilter();
        for (String filterText : filters) {
            int equals = filterText.indexOf('=');
            Key key = null;
            for (Key candidate : Key.values()) {
                if (equals > 0 && candidate.name().equalsIgnoreCase(filterText.substring(0, equals))) {
                    key = candidate;
                }
            }
            if (key == null) {
                throw new IllegalArgumentException("filter \"" + filterText + "\": expected status=, name=, label=, ancestor="
                        + " or id= followed by a value");
            }
            String value = filterText.substring(equals + 1);
            if (key == Key.STATUS) {
                ContainerStatus.parse(value);
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

    private static boolean matches(Key key, String value, ContainerState state) {
        return switch (key) {
            case STATUS -> ContainerStatus.of(state).word().equals(value);
            case NAME -> state.name() != null && state.name().contains(value);
            case ID -> state.id().startsWith(value);
            case LABEL -> {
                Map<String, String> labels = ContainerRow.labels(state);
                int equals = value.indexOf('=');
                yield equals < 0 ? labels.containsKey(value) : value.substring(equals + 1).equals(labels.get(value.substring(0, equals)));
            }
            case ANCESTOR -> {
                String image = ContainerRow.image(state);
                yield image.equals(value) || image.equals(value + ":latest");
            }
        };
    }
}
