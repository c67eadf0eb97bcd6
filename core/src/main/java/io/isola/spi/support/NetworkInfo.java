package io.isola.spi.support;

import java.util.Map;

/**
 * A network as {@code isola network ls|inspect} show it.
 *
 * @param name its name
 * @param id a 64-digit hex id (derived from the name for networks isola did not create)
 * @param created when it was created (ISO-8601), or empty when unknown
 * @param subnet its IPv4 subnet, or empty when its IPAM has none isola can read
 * @param gateway the bridge's address, or empty
 * @param internal whether it has no route out
 * @param labels the user's labels
 * @param bridge its bridge interface, or empty for a network of another plugin type
 * @param source the configuration file it is kept in
 * @param builtIn whether it is the runtime's default network ({@code --net bridge})
 * @param containers the running containers attached to it: id to IPv4 address with prefix length
 */
public record NetworkInfo(
        String name,
        String id,
        String created,
        String subnet,
        String gateway,
        boolean internal,
        Map<String, String> labels,
        String bridge,
        String source,
        boolean builtIn,
        Map<String, String> containers) {
    public NetworkInfo {
        labels = Map.copyOf(labels);
        containers = Map.copyOf(containers);
    }
}
