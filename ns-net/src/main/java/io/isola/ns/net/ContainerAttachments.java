package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.spi.NetworkAttachment;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's interface on a network as inspect shows it, read from what the host recorded (the
 * ADD result's address, gateway and interface MAC; the names it gave), never from the container.
 */
final class ContainerAttachments {

    private ContainerAttachments() {}

    /** {@code record}: state.json (its first network, eth0) or a {@link ConnectedNetworks} record. */
    static NetworkAttachment of(ObjectNode record, String networkId, boolean connected) {
        JsonNode result = record.path("result");
        String address = "";
        String gateway = "";
        String mac = "";
        for (JsonNode ip : result.path("ips")) {
            String text = ip.path("address").asText("");
            if (address.isEmpty() && text.contains(".")) {
                address = text;
                gateway = ip.path("gateway").asText("");
                int index = ip.path("interface").asInt(-1);
                if (index >= 0) {
                    mac = result.path("interfaces").path(index).path("mac").asText("");
                }
            }
        }
        int slash = address.indexOf('/');
        List<String> names = new ArrayList<>();
        record.path("names").forEach(n -> names.add(n.asText()));
        return new NetworkAttachment(
                record.path("network").path("name").asText(),
                networkId,
                record.path("ifName").asText(NetworkIsolation.IFNAME),
                slash < 0 ? address : address.substring(0, slash),
                slash < 0 || !address.substring(slash + 1).matches("\\d{1,2}")
                        ? 0
                        : Integer.parseInt(address.substring(slash + 1)),
                gateway,
                mac,
                names,
                connected);
    }
}
