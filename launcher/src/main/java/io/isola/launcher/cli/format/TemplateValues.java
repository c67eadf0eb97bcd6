package io.isola.launcher.cli.format;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** How a template prints and tests values, as Go's fmt and text/template do. */
final class TemplateValues {

    private TemplateValues() {}

    /** Go's %v: {@code <no value>} for nothing, {@code [a b]} for a list, {@code map[k:v]} for a map. */
    static String print(Object value) {
        if (value == null) {
            return "<no value>";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(TemplateValues::print).collect(Collectors.joining(" ", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            return new TreeMap<>(map)
                    .entrySet().stream()
                            .map(e -> e.getKey() + ":" + print(e.getValue()))
                            .collect(Collectors.joining(" ", "map[", "]"));
        }
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return Long.toString(d.longValue());
        }
        return value.toString();
    }

    /** Go's truth: false, 0, "", nil and empty lists and maps are false. */
    static boolean truth(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        if (value instanceof List<?> list) {
            return !list.isEmpty();
        }
        if (value instanceof Map<?, ?> map) {
            return !map.isEmpty();
        }
        return true;
    }

    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return Objects.equals(a, b);
    }
}
