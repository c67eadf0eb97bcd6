package io.isola.launcher.framework;

import java.util.List;

/**
 * Where an isolator service comes from and how it is configured.
 *
 * @param bundle the bundle's symbolic name and version ({@code io.isola.ns.uts 0.1.0})
 * @param location where the bundle was installed from
 * @param fromBoot whether its bundle is one of bundles/ (installed at boot), which win conflicts
 * @param serviceId the service's id: among bundles of the same kind, the earlier registration wins a conflict
 * @param enabledByDefault whether containers get it unless told otherwise ({@code enabled} in its .cfg)
 * @param phases the phases it declares it contributes to ({@code isola.phases}), for display
 * @param configFile the .cfg file its configuration came from, or null
 */
public record PluginInfo(
        String bundle,
        String location,
        boolean fromBoot,
        long serviceId,
        boolean enabledByDefault,
        List<String> phases,
        String configFile) {}
