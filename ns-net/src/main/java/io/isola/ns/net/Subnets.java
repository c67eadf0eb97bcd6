package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPv4 subnets a network's {@code host-local} IPAM hands out, and the check that none of them
 * clashes with a route the host already has (which would make the host send the container's
 * traffic, or its own, the wrong way).
 */
final class Subnets {

    private Subnets() {}

    static List<Ipv4Net> of(NetworkConfigList list) {
        List<Ipv4Net> subnets = new ArrayList<>();
        for (JsonNode plugin : list.plugins()) {
            JsonNode ipam = plugin.path("ipam");
            Ipv4Net.parse(ipam.path("subnet").asText("")).ifPresent(subnets::add);
            for (JsonNode range : ipam.path("ranges")) {
                for (JsonNode set : range) {
                    Ipv4Net.parse(set.path("subnet").asText("")).ifPresent(subnets::add);
                }
            }
        }
        return subnets;
    }

    /** Fails naming the file, the subnet and the host's route when they overlap (routes via the network's own bridge are its own). */
    static void checkNoClash(NetworkConfigList list) throws CniException {
        String bridge = NetworkConfigs.bridgeOf(list).orElse(null);
        for (Ipv4Net subnet : of(list)) {
            for (Ipv4Net.Route route : Ipv4Net.hostRoutes()) {
                if (!route.device().equals(bridge) && subnet.overlaps(route.destination())) {
                    throw new CniException(list.describe() + ": subnet " + subnet + " clashes with the host's route "
                            + route.destination() + " on " + route.device()
                            + "; choose a subnet the host does not use");
                }
            }
        }
    }
}
