package io.isola.ns.net;

import io.isola.api.Network;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks the isolator's configuration ({@code conf/io.isola.ns.net.cfg}) when it is activated, so
 * that a bad value is reported with its key and what is allowed (the launcher adds the file)
 * instead of surfacing in the first container that uses it.
 */
final class SettingsCheck {

    private SettingsCheck() {}

    static NetIsolator.Settings check(
            String network, String mode, String cniPath, String configDir, String runtimeDir, String subnet) {
        String name = network.strip();
        try {
            new Network(Network.Mode.NAMED, name, List.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("network \"" + network
                    + "\": expected 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        String defaultMode = mode.strip();
        boolean modeOk;
        try {
            modeOk = Network.parse(defaultMode).mode() != Network.Mode.CONTAINER;
        } catch (IllegalArgumentException e) {
            modeOk = false;
        }
        if (!modeOk) {
            throw new IllegalArgumentException(
                    "mode \"" + mode + "\": expected none, host, bridge or the name of a network");
        }
        for (String dir : cniPath.split(":")) {
            if (!dir.isBlank() && !dir.strip().startsWith("/")) {
                throw new IllegalArgumentException("cniPath \"" + cniPath
                        + "\": expected absolute directories separated by ':' (or empty for the default)");
            }
        }
        String subnetValue = subnet.strip();
        if (!subnetValue.isEmpty() && Ipv4Net.parse(subnetValue).isEmpty()) {
            throw new IllegalArgumentException("subnet \"" + subnet
                    + "\": expected an IPv4 network such as 10.77.0.0/16, or empty to pick a free one");
        }
        return new NetIsolator.Settings(
                name,
                defaultMode,
                cniPath,
                directory("configDir", configDir),
                directory("runtimeDir", runtimeDir),
                subnetValue);
    }

    private static Path directory(String key, String value) {
        String dir = value.strip();
        if (!dir.startsWith("/")) {
            throw new IllegalArgumentException(key + " \"" + value + "\": expected an absolute directory");
        }
        return Path.of(dir);
    }
}
