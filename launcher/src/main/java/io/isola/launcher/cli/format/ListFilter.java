package io.isola.launcher.cli.format;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code --filter KEY=VALUE} options of a list or prune verb, as Docker reads them: one key
 * repeated matches when any of its values does, different keys must all match.
 */
public final class ListFilter {

    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private ListFilter() {}

    /**
     * Reads {@code filters}; a key outside {@code keys} is refused with {@code expected}, the
     * allowed forms in words ("name=TEXT, label=KEY[=VALUE] or driver=local").
     */
    public static ListFilter parse(List<String> filters, Set<String> keys, String expected) {
        ListFilter filter = new ListFilter();
        for (String text : filters) {
            int eq = text.indexOf('=');
            String key = eq < 0 ? text : text.substring(0, eq);
            if (!keys.contains(key)) {
                throw new IllegalArgumentException("filter \"" + text + "\": expected " + expected);
            }
            filter.values.computeIfAbsent(key, k -> new ArrayList<>()).add(eq < 0 ? "" : text.substring(eq + 1));
        }
        return filter;
    }

    /** The values given for {@code key}, in order; empty when it was not given. */
    public List<String> values(String key) {
        return values.getOrDefault(key, List.of());
    }

    /** Whether {@code key} was not given, or one of its values passes {@code test}. */
    public boolean any(String key, Predicate<String> test) {
        List<String> given = values(key);
        return given.isEmpty() || given.stream().anyMatch(test);
    }

    /** Whether {@code labels} hold every {@code label=KEY} and {@code label=KEY=VALUE} given (all, not any, as Docker). */
    public boolean labels(Map<String, String> labels) {
        Map<String, String> own = labels == null ? Map.of() : labels;
        return values("label").stream().allMatch(label -> {
            int eq = label.indexOf('=');
            return eq < 0 ? own.containsKey(label) : label.substring(eq + 1).equals(own.get(label.substring(0, eq)));
        });
    }
}
