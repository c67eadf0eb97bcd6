package io.isola.spi.support;

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
}
