package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.ns.net.cni.CniClient;
import io.isola.ns.net.cni.NetworkConfigList;
import io.isola.spi.support.Loopback;
import io.isola.spi.support.NamespaceFile;
import java.nio.file.Path;
import java.util.Map;

/**
 * The parts of a {@link NetworkIsolation}, each named at the call site. Optional parts are null,
 * false or empty unless set; {@link #build} names a required part that was left out.
 */
final class NetworkIsolationBuilder {
    // package-private: read by NetworkIsolation's constructor, which checks them
    CniClient cni;
    NetworkConfigList network;
    Map<String, JsonNode> capabilityArgs = Map.of();
    ConnectedNetworks connected;
    AttachmentStore store;
    Path dir;
    ObjectNode state;
    boolean childOwns;
    String id;
    String hostname;
    EtcFiles etc;
    boolean bindEtc;
    NetworkIsolation.Names names;
    NamespaceFile joined;
    Path joinedDir;
    boolean childLoopback;
    Pasta pasta;

    NetworkIsolationBuilder() {}

    // the CNI side

    NetworkIsolationBuilder cni(CniClient cni) {
        this.cni = cni;
        return this;
    }

    /** The network to attach to, or null ({@code none}, or a joined namespace). */
    NetworkIsolationBuilder network(NetworkConfigList network) {
        this.network = network;
        return this;
    }

    /** The CNI capability arguments of the ADD and DEL ({@code portMappings}, {@code ips}). */
    NetworkIsolationBuilder capabilityArgs(Map<String, JsonNode> capabilityArgs) {
        this.capabilityArgs = capabilityArgs;
        return this;
    }

    /** The networks connected later, detached with this one under their lock. */
    NetworkIsolationBuilder connected(ConnectedNetworks connected) {
        this.connected = connected;
        return this;
    }

    // the state side

    NetworkIsolationBuilder store(AttachmentStore store) {
        this.store = store;
        return this;
    }

    /** The container's state directory, already created with {@link #state(ObjectNode)}. */
    NetworkIsolationBuilder dir(Path dir) {
        this.dir = dir;
        return this;
    }

    NetworkIsolationBuilder state(ObjectNode state) {
        this.state = state;
        return this;
    }

    /**
     * Whether the container outlives the process preparing it (an OCI create): its own first
     * process then owns the state from the clone on.
     */
    NetworkIsolationBuilder childOwns(boolean childOwns) {
        this.childOwns = childOwns;
        return this;
    }

    // the container's names and /etc files

    NetworkIsolationBuilder id(String id) {
        this.id = id;
        return this;
    }

    NetworkIsolationBuilder hostname(String hostname) {
        this.hostname = hostname;
        return this;
    }

    NetworkIsolationBuilder etc(EtcFiles etc) {
        this.etc = etc;
        return this;
    }

    /** Whether the child bind-mounts the /etc files itself (no mount isolator does it). */
    NetworkIsolationBuilder bindEtc(boolean bindEtc) {
        this.bindEtc = bindEtc;
        return this;
    }

    NetworkIsolationBuilder names(NetworkIsolation.Names names) {
        this.names = names;
        return this;
    }

    // --net container:ID

    /** Another container's namespace to join instead of attaching, or null. */
    NetworkIsolationBuilder joined(NamespaceFile joined) {
        this.joined = joined;
        return this;
    }

    /** The joined container's state directory, whose /etc files are copied; null when none is joined. */
    NetworkIsolationBuilder joinedDir(Path joinedDir) {
        this.joinedDir = joinedDir;
        return this;
    }

    // rootless

    /** Whether the child brings lo up itself ({@link Rootless}) instead of the host ({@link Loopback}). */
    NetworkIsolationBuilder childLoopback(boolean childLoopback) {
        this.childLoopback = childLoopback;
        return this;
    }

    /** A rootless network's pasta, started once the child exists, or null. */
    NetworkIsolationBuilder pasta(Pasta pasta) {
        this.pasta = pasta;
        return this;
    }

    NetworkIsolation build() {
        return new NetworkIsolation(this);
    }
}
