package io.isola.launcher.cli;

import io.isola.launcher.IsolaRuntime;
import io.isola.lifecycle.ContainerState;
import io.isola.spi.support.NetworkAdmin;
import io.isola.spi.support.NetworkAttachment;
import io.isola.spi.support.NetworkInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * inspect's {@code NetworkSettings.Networks}: each network a running container is on, the one it
 * started with and those network connect added, with Docker's fields, from the network plugin.
 */
final class ContainerNetworks {

    private ContainerNetworks() {}

    /** Docker's map (network name to its endpoint) for running container {@code state}; empty without the plugin. */
    static Map<String, Object> of(IsolaRuntime runtime, ContainerState state) throws InterruptedException {
        runtime.require(Set.of("net"));
        NetworkAdmin admin = runtime.service(NetworkAdmin.class).orElse(null);
        if (admin == null) {
            return Map.of();
        }
        // the default network under Docker's name for it, which scripts index (.NetworkSettings.Networks.bridge)
        Set<String> builtIn = admin.list().stream()
                .filter(NetworkInfo::builtIn)
                .map(NetworkInfo::name)
                .collect(Collectors.toSet());
        Map<String, Object> networks = new LinkedHashMap<>();
        for (NetworkAttachment attachment : admin.attachments(state.id())) {
            String name = builtIn.contains(attachment.network()) ? "bridge" : attachment.network();
            networks.put(name, endpoint(attachment, state.name()));
        }
        return networks;
    }

    /**
     * As Docker 24 shows it: {@code Aliases} are the names it is found by besides its own name
     * (its aliases and short id; null on the default network, which resolves none), {@code
     * DNSNames} (Docker 25) all of them. isola has no endpoint ids and no IPv6 on its networks.
     */
    private static Map<String, Object> endpoint(NetworkAttachment attachment, String containerName) {
        List<String> aliases = new ArrayList<>(attachment.names());
        aliases.remove(containerName);
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("IPAMConfig", null);
        endpoint.put("Links", null);
        endpoint.put("Aliases", attachment.names().isEmpty() ? null : aliases);
        endpoint.put("MacAddress", attachment.macAddress());
        endpoint.put("NetworkID", attachment.networkId());
        endpoint.put("EndpointID", "");
        endpoint.put("Gateway", attachment.gateway());
        endpoint.put("IPAddress", attachment.ipv4());
        endpoint.put("IPPrefixLen", attachment.prefixLength());
        endpoint.put("IPv6Gateway", "");
        endpoint.put("GlobalIPv6Address", "");
        endpoint.put("GlobalIPv6PrefixLen", 0);
        endpoint.put("DriverOpts", null);
        endpoint.put("DNSNames", attachment.names().isEmpty() ? null : attachment.names());
        return endpoint;
    }
}
