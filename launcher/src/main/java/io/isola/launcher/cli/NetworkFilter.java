package io.isola.launcher.cli;

import io.isola.launcher.cli.format.ListFilter;
import io.isola.spi.support.NetworkInfo;
import java.util.List;
import java.util.Set;

/** {@code network ls --filter}: a part of the name, a prefix of the id, labels, the driver (bridge). */
final class NetworkFilter {

    private final ListFilter filter;

    private NetworkFilter(ListFilter filter) {
        this.filter = filter;
    }

    static NetworkFilter parse(List<String> filters) {
        return new NetworkFilter(ListFilter.parse(
                filters,
                Set.of("name", "id", "label", "driver"),
                "name=TEXT, id=PREFIX, label=KEY[=VALUE] or driver=bridge"));
    }

    boolean matches(NetworkInfo network) {
        return filter.any("name", network.name()::contains)
                && filter.any("id", network.id()::startsWith)
                && filter.any("driver", "bridge"::equals)
                && filter.labels(network.labels());
    }
}
