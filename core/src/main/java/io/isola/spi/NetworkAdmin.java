package io.isola.spi;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A service of the network plugin: the networks users name ({@code isola network create|ls|
 * inspect|rm}), kept where the plugin keeps its network configurations. Errors a user can cause
 * (a taken name or subnet, a network in use) are {@link IllegalArgumentException}s whose message
 * names the value and what is allowed.
 */
@ConsumerType
public interface NetworkAdmin {

    /** Creates a network with its own bridge and subnet; refused when the name or subnet is taken. */
    NetworkInfo create(NetworkRequest request);

    /** Every network, by name. */
    List<NetworkInfo> list();

    Optional<NetworkInfo> find(String name);

    /**
     * Removes a network no container uses: its configuration, its bridge and its address leases;
     * refused, naming the containers' ids, while containers are attached.
     */
    void remove(String name);

    /**
     * Adds an interface on network {@code network} (the next free {@code ethN}) to the network
     * namespace of running container {@code containerId}, as {@code docker network connect} does;
     * it goes when the container stops or on {@link #disconnect}. Refused, naming the value, for an
     * unknown network, a container that is not running, one without a network of its own ({@code
     * none}, {@code host}, {@code container:ID}) or one already on the network.
     *
     * @param names the container's name and its aliases on that network, which the network's
     *     other containers find it by (with its short id)
     * @param ipv4 the address to take, or null for the network's next free one
     */
    default NetworkAttachment connect(String network, String containerId, List<String> names, String ipv4) {
        throw new UnsupportedOperationException(
                "network connect: the network plugin is of an older version; expected one with network connect");
    }

    /** Removes the interface {@link #connect} added; refused when the container is not connected to the network. */
    default void disconnect(String network, String containerId) {
        throw new UnsupportedOperationException(
                "network disconnect: the network plugin is of an older version; expected one with network disconnect");
    }

    /** The interfaces running container {@code containerId} has on networks, its first one first; empty for none. */
    default List<NetworkAttachment> attachments(String containerId) {
        return List.of();
    }
}
