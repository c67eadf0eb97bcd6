package io.isola.spi.support;

import java.util.Map;

/**
 * What {@code isola network create} asks for.
 *
 * @param name the network's name
 * @param subnet an IPv4 subnet ({@code 10.90.0.0/16}), or null to pick one no other network or host route uses
 * @param gateway the bridge's address in the subnet, or null for its first host
 * @param internal no route out and no masquerade: containers reach each other and nothing else
 * @param labels the user's labels
 */
public record NetworkRequest(String name, String subnet, String gateway, boolean internal, Map<String, String> labels) {
    public NetworkRequest {
        labels = Map.copyOf(labels);
    }
}
