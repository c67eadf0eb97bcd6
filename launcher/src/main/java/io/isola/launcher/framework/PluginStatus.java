package io.isola.launcher.framework;

import io.isola.spi.Namespace;
import java.util.List;

/**
 * One row of {@code isola plugins}: an isolator service (used or rejected) or an isolator
 * component that failed to start.
 *
 * @param name the isolator's name, or null when it is not known
 * @param bundle the bundle's symbolic name
 * @param version the bundle's version
 * @param cloneFlag the flag of the namespace it creates ({@code CLONE_NEWUTS}), or null
 * @param phases the phases it declares ({@code isola.phases}), possibly none
 * @param state "on by default", "off by default", "rejected: ..." or "failed: ..."
 */
public record PluginStatus(
        String name, String bundle, String version, String cloneFlag, List<String> phases, String state) {

    public static PluginStatus of(PluginInfo info, String name, Namespace namespace, String state) {
        String[] bundle = info.bundle().split(" ", 2);
        return new PluginStatus(
                name,
                bundle[0],
                bundle.length > 1 ? bundle[1] : "",
                namespace == null ? null : CloneFlags.name(namespace),
                info.phases(),
                state);
    }

    public static PluginStatus failed(ComponentFailures.Failure failure) {
        String[] bundle = failure.bundle().split(" ", 2);
        return new PluginStatus(
                null,
                bundle[0],
                bundle.length > 1 ? bundle[1] : "",
                null,
                List.of(),
                "failed: " + (failure.configFile() == null ? "" : failure.configFile() + ": ") + failure.reason());
    }
}
