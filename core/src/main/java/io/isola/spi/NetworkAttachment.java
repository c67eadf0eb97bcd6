package io.isola.spi;

import java.util.List;

/**
 * One interface of a running container on a network, as {@code inspect} shows it in {@code
 * NetworkSettings.Networks}: the one it started with and those {@code isola network connect} added.
 *
 * @param network the network's name
 * @param networkId the network's 64-digit hex id ({@link NetworkInfo#id})
 * @param ifName the interface in the container ({@code eth0}, {@code eth1}, ...)
 * @param ipv4 its IPv4 address without prefix, or empty
 * @param prefixLength the address's prefix length, or 0
 * @param gateway the network's gateway, or empty
 * @param macAddress the interface's MAC address, or empty
 * @param names what the network's other containers find it by (name, aliases, short id); empty on a
 *     network that resolves no names (the default one)
 * @param connected whether {@code network connect} added it (so {@code network disconnect} removes it)
 */
public record NetworkAttachment(
        String network,
        String networkId,
        String ifName,
        String ipv4,
        int prefixLength,
        String gateway,
        String macAddress,
        List<String> names,
        boolean connected) {
    public NetworkAttachment {
        names = List.copyOf(names);
    }
}
