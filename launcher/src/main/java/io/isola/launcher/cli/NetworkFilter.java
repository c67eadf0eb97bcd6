package io.isola.launcher.cli;

import io.isola.spi.support.NetworkInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code network ls --filter}, as Docker reads it: one key repeated matches any of its values,
 * different keys must all match.
 */
final class NetworkFilter {

    private final List<String> names = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final List<String> drivers = new ArrayList<>();

    private NetworkFilter() {}

    static NetworkFilter parse(List<String> filters) {
        NetworkFilter filter = new NetworkFilter();
        for (String value : filters) {
            int eq = value.indexOf('=');
            String key = eq < 0 ? value : value.substring(0, eq);
            String arg = eq < 0 ? "" : value.substring(eq + 1);
            switch (key) {
                case "name" -> filter.names.add(arg);
                case "id" -> filter.ids.add(arg);
                case "label" -> filter.labels.add(arg);
                case "driver" -> filter.drivers.add(arg);
                default ->
                    throw new IllegalArgumentException("filter \"" + value
                            + "\": expected name=TEXT, id=PREFIX, label=KEY[=VALUE] or driver=bridge");
            }
        }
        return filter;
    }

    boolean matches(NetworkInfo network) {
        if (!names.isEmpty() && names.stream().noneMatch(network.name()::contains)) {
            return false;
        }
        if (!ids.isEmpty() && ids.stream().noneMatch(network.id()::startsWith)) {
            return false;
        }
        if (!drivers.isEmpty() && !drivers.contains("bridge")) {
            return false;
        }
        for (String label : labels) {
            int eq = label.indexOf('=');
            boolean has = eq < 0
                    ? network.labels().containsKey(label)
                    : label.substring(eq + 1).equals(network.labels().get(label.substring(0, eq)));
            if (!has) {
                return false;
            }
        }
        return true;
    }
}
