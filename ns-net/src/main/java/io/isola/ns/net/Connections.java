package io.isola.ns.net;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.Network;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import io.isola.spi.support.NetworkAttachment;
import io.isola.spi.support.NetworkInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code isola network connect|disconnect} of running containers, and the interfaces {@code
 * inspect} shows: the checks Docker makes (with Docker's words), then {@link ConnectedNetworks}
 * under its lock, then the members' hosts files ({@link PeerHosts}).
 */
final class Connections {

    private final AttachmentStore store;
    private final NetworkConfigs configs;
    private final UserNetworks networks;
    private final ConnectedNetworks connected;
    private final PeerHosts peers;

    Connections(
            AttachmentStore store,
            NetworkConfigs configs,
            UserNetworks networks,
            ConnectedNetworks connected,
            PeerHosts peers) {
        this.store = store;
        this.configs = configs;
        this.networks = networks;
        this.connected = connected;
        this.peers = peers;
    }

    NetworkAttachment connect(String network, String id, List<String> names, String ipv4) {
        NetworkInfo info = known(network);
        NetworkConfigList list = configOf(info);
        if (ipv4 != null) {
            NetIsolator.requireInSubnet(list, ipv4, "--ip");
        }
        String shown = names.isEmpty() ? id : names.get(0);
        // as Docker's default bridge, the default network resolves no names
        List<String> memberNames = info.builtIn() ? List.of() : withShortId(names, id);
        running(
                id,
                store.dirOf(
                        id)); // Docker's refusals before the lock, whose directory a host-network-only machine lacks
        ObjectNode record = connected.locked(() -> {
            Path dir = store.dirOf(id);
            ObjectNode state = running(id, dir);
            if (info.name().equals(state.path("network").path("name").asText())
                    || ConnectedNetworks.of(dir).stream().anyMatch(r -> onNetwork(r, info.name()))) {
                throw new IllegalArgumentException(
                        "endpoint with name " + shown + " already exists in network " + info.name());
            }
            try {
                return connected.add(dir, pinOf(dir, state), id, list, memberNames, ipv4);
            } catch (CniException e) {
                throw new IllegalArgumentException(
                        "network connect " + info.name() + " " + shown + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new IllegalStateException("network connect: " + e.getMessage(), e);
            }
        });
        if (!memberNames.isEmpty()) {
            peers.refresh(info.name());
        }
        return ContainerAttachments.of(record, info.id(), true);
    }

    void disconnect(String network, String id) {
        NetworkInfo info = known(network);
        running(id, store.dirOf(id));
        connected.locked(() -> {
            Path dir = store.dirOf(id);
            ObjectNode state = running(id, dir);
            ObjectNode record = ConnectedNetworks.of(dir).stream()
                    .filter(r -> onNetwork(r, info.name()))
                    .findFirst()
                    .orElse(null);
            if (record == null
                    && info.name().equals(state.path("network").path("name").asText())) {
                throw new IllegalArgumentException("container " + id + " joined network " + info.name()
                        + " when it started; isola disconnects only the networks that network connect added:"
                        + " stop the container to leave it");
            }
            if (record == null) {
                throw new IllegalArgumentException("container " + id + " is not connected to network " + info.name());
            }
            try {
                connected.remove(dir, pinOf(dir, state), id, record);
            } catch (CniException e) {
                throw new IllegalArgumentException("network disconnect " + info.name() + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new IllegalStateException("network disconnect: " + e.getMessage(), e);
            }
            return null;
        });
        peers.refresh(info.name(), id); // its peers leave its own file too
    }

    /** The container's interfaces on networks: the one it started with, then those connected. */
    List<NetworkAttachment> attachments(String id) {
        Path dir = store.dirOf(id);
        Optional<ObjectNode> state = store.read(dir);
        if (state.isEmpty()
                || !new ProcessIdentity(
                                state.get().path("pid").asLong(-1),
                                state.get().path("pidStart").asLong(-1))
                        .isAlive()) {
            return List.of();
        }
        List<NetworkInfo> all = networks.list();
        List<NetworkAttachment> shown = new ArrayList<>();
        if (state.get().path("network").isObject()) {
            shown.add(ContainerAttachments.of(state.get(), idOf(all, state.get()), false));
        }
        for (ObjectNode record : ConnectedNetworks.of(dir)) {
            shown.add(ContainerAttachments.of(record, idOf(all, record), true));
        }
        return shown;
    }

    private static String idOf(List<NetworkInfo> all, ObjectNode record) {
        String name = record.path("network").path("name").asText();
        return all.stream()
                .filter(n -> n.name().equals(name))
                .map(NetworkInfo::id)
                .findFirst()
                .orElse("");
    }

    private NetworkInfo known(String network) {
        return networks.list().stream()
                .filter(n -> n.name().equals(network) || n.builtIn() && network.equals("bridge"))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("network " + network + " not found"));
    }

    private NetworkConfigList configOf(NetworkInfo info) {
        try {
            return configs.find(info.name());
        } catch (CniException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The state of a running container that has a network of its own from a network plugin;
     * Docker's refusals otherwise (ErrConflictHostNetwork, ErrConflictNoNetwork, ErrConflictSharedNetwork).
     */
    private ObjectNode running(String id, Path dir) {
        ObjectNode state = store.read(dir).orElse(null);
        if (state == null) {
            throw new IllegalArgumentException("container " + id + " has no network namespace of its own (--network"
                    + " host, or it is not running): container cannot be disconnected from host network or"
                    + " connected to host network");
        }
        if (!new ProcessIdentity(
                                state.path("ownerPid").asLong(-1),
                                state.path("ownerStart").asLong(-1))
                        .isAlive()
                || !new ProcessIdentity(
                                state.path("pid").asLong(-1),
                                state.path("pidStart").asLong(-1))
                        .isAlive()) {
            throw new IllegalArgumentException(
                    "container " + id + " is not running; isola connects running" + " containers only: start it first");
        }
        Network mode = Network.parse(state.path("mode").asText("none"));
        if (mode.mode() == Network.Mode.CONTAINER) {
            throw new IllegalArgumentException("container " + id + " shares the network of " + mode.target()
                    + ": container sharing network namespace with another container or host cannot be"
                    + " connected to any other network");
        }
        if (!state.path("network").isObject() || !state.has("netns")) {
            throw new IllegalArgumentException(
                    "container " + id + " has --network " + state.path("mode").asText()
                            + ": container cannot be connected to multiple networks with one of the networks in"
                            + " private (none) mode");
        }
        return state;
    }

    /** The pinned namespace of the container's first network, which the connected ones are added to. */
    private static Path pinOf(Path dir, ObjectNode state) {
        Path pin = dir.resolve(state.path("netns").asText());
        if (!pin.getParent().equals(dir) || !Mounts.isMountPoint(pin)) {
            throw new IllegalArgumentException(
                    "container's network namespace is not pinned at " + pin + "; expected a running container");
        }
        return pin;
    }

    private static boolean onNetwork(ObjectNode record, String network) {
        return network.equals(record.path("network").path("name").asText());
    }

    private static List<String> withShortId(List<String> names, String id) {
        java.util.Set<String> all = new java.util.LinkedHashSet<>(names);
        all.add(id.substring(0, Math.min(12, id.length())));
        return List.copyOf(all);
    }
}
