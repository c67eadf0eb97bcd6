package io.isola.launcher.cli;

import io.isola.launcher.cli.format.ListFilter;
import io.isola.launcher.volume.VolumeRecord;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** {@code volume ls|prune --filter}: a part of the name, labels, dangling, the driver (local). */
final class VolumeFilter {

    private final ListFilter filter;
    private final List<Boolean> dangling;

    private VolumeFilter(ListFilter filter, List<Boolean> dangling) {
        this.filter = filter;
        this.dangling = dangling;
    }

    static VolumeFilter parse(List<String> filters) {
        ListFilter filter = ListFilter.parse(
                filters,
                Set.of("name", "label", "dangling", "driver"),
                "dangling=true|false, name=TEXT, label=KEY[=VALUE] or driver=local");
        return new VolumeFilter(
                filter,
                filter.values("dangling").stream().map(VolumeFilter::dangling).toList());
    }

    private static boolean dangling(String value) {
        return switch (value) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default ->
                throw new IllegalArgumentException(
                        "filter \"dangling=" + value + "\": expected dangling=true or dangling=false");
        };
    }

    /** Whether {@code volume} passes; {@code used} tells whether a container uses it, asked only for dangling=. */
    boolean matches(VolumeRecord volume, BooleanSupplier used) {
        return filter.any("name", volume.name()::contains)
                && filter.any("driver", "local"::equals)
                && filter.labels(volume.labels())
                && (dangling.isEmpty() || dangling.contains(!used.getAsBoolean()));
    }
}
