package io.isola.launcher.cli;

import io.isola.launcher.volume.VolumeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code volume ls --filter} and {@code volume prune --filter}, as Docker reads them: one key
 * repeated matches any of its values, different keys must all match.
 */
final class VolumeFilter {

    private final List<String> names = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private Boolean dangling;

    private VolumeFilter() {}

    static VolumeFilter parse(List<String> filters) {
        VolumeFilter filter = new VolumeFilter();
        for (String value : filters) {
            int eq = value.indexOf('=');
            String key = eq < 0 ? value : value.substring(0, eq);
            String arg = eq < 0 ? "" : value.substring(eq + 1);
            switch (key) {
                case "name" -> filter.names.add(arg);
                case "label" -> filter.labels.add(arg);
                case "dangling" ->
                    filter.dangling = switch (arg) {
                        case "true", "1" -> true;
                        case "false", "0" -> false;
                        default ->
                            throw new IllegalArgumentException(
                                    "filter \"" + value + "\": expected dangling=true or dangling=false");
                    };
                case "driver" -> {
                    if (!arg.equals("local")) {
                        filter.names.add("\0"); // no volume has another driver
                    }
                }
                default ->
                    throw new IllegalArgumentException("filter \"" + value
                            + "\": expected dangling=true|false, name=TEXT, label=KEY[=VALUE] or driver=local");
            }
        }
        return filter;
    }

    /** Whether {@code volume} passes; {@code used} tells whether a container uses it, asked only for dangling=. */
    boolean matches(VolumeRecord volume, BooleanSupplier used) {
        if (!names.isEmpty() && names.stream().noneMatch(volume.name()::contains)) {
            return false;
        }
        Map<String, String> own = volume.labels() == null ? Map.of() : volume.labels();
        for (String label : labels) {
            int eq = label.indexOf('=');
            boolean has =
                    eq < 0 ? own.containsKey(label) : label.substring(eq + 1).equals(own.get(label.substring(0, eq)));
            if (!has) {
                return false;
            }
        }
        return dangling == null || dangling != used.getAsBoolean();
    }
}
