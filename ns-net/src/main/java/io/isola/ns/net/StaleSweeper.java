package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.ns.net.cni.CniClient;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import io.isola.spi.support.NamespaceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds containers whose host died without detaching them (kill -9 of the JVM) and runs the CNI
 * DEL their host would have run, with the configuration and ADD result recorded in their state.
 *
 * <p>A container is stale when the process that owns its state (pid and start time) is gone. Its
 * network namespace is still pinned to the file its state names, so DEL finds the interface and
 * removes everything (veth, lease, masquerade and port rules); then the pin is released. If the
 * container's command still runs (it outlives its host), it keeps running, without a network.
 * Without a pin (the host died between clone and pin), DEL gets the namespace of the container's
 * process if that still runs, else none, which still frees the lease and the port mappings.
 */
final class StaleSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(StaleSweeper.class);
    /** A directory without a state file is a start caught between mkdir and the first write. */
    private static final Duration UNFINISHED = Duration.ofMinutes(1);

    private final AttachmentStore store;
    private final CniClient cni;
    private final PeerHosts peers;
    private final ConnectedNetworks connected;
    private volatile boolean swept;

    StaleSweeper(AttachmentStore store, CniClient cni, PeerHosts peers, ConnectedNetworks connected) {
        this.store = store;
        this.cni = cni;
        this.peers = peers;
        this.connected = connected;
    }

    void sweepOnce() {
        if (!swept) {
            synchronized (this) {
                if (!swept) {
                    sweep();
                    swept = true;
                }
            }
        }
    }

    /**
     * Returns how many stale containers were released: first those whose sweep was killed after it
     * had claimed them, then those whose owner is gone.
     */
    synchronized int sweep() {
        int released = 0;
        for (Path staging : store.abandonedStaging()) {
            try {
                AttachmentStore.delete(staging); // nothing is attached before the directory is in place
            } catch (IOException e) {
                LOG.debug("cannot remove {}: {}", staging, e.toString());
            }
        }
        for (Path abandoned : store.abandonedClaims()) {
            String id = AttachmentStore.claimedId(abandoned);
            Optional<Path> claimed = store.claim(abandoned, id); // of two sweeps retrying it, one wins
            if (claimed.isPresent() && release(id, store.read(claimed.get()), claimed.get())) {
                released++;
            }
        }
        for (Path dir : store.dirs()) {
            Optional<ObjectNode> state = store.read(dir);
            if (state.isEmpty() ? !olderThan(dir, UNFINISHED) : ownerAlive(state.get())) {
                continue;
            }
            String id = dir.getFileName().toString();
            Optional<Path> claimed = store.claim(dir, id);
            if (claimed.isPresent() && release(id, state, claimed.get())) {
                released++;
            }
        }
        return released;
    }

    /** Releases the network of claimed directory {@code claimed}; on failure gives it back for a later sweep. */
    private boolean release(String id, Optional<ObjectNode> state, Path claimed) {
        try {
            List<String> left = List.of();
            if (state.isPresent()) {
                left = release(id, state.get(), claimed);
            }
            Pasta.stop(claimed, id); // a rootless network's, when the host died before it ended it
            Path pin = claimed.resolve(NetworkIsolation.PIN);
            if (Mounts.isMountPoint(pin)) {
                NamespaceFile.unpin(pin); // pinned, but the host died before it recorded the network
            }
            AttachmentStore.delete(claimed);
            if (state.isPresent() && state.get().has("names")) {
                // its line leaves the files of the containers it shared a user-defined network with
                peers.refresh(state.get().path("network").path("name").asText());
            }
            left.forEach(peers::refresh);
            return true;
        } catch (CniException | IOException | RuntimeException e) {
            LOG.warn("cannot release the network of stale container {}: {}", id, e.getMessage());
            store.unclaim(claimed, id);
            return false;
        }
    }

    /** Returns the networks that {@code network connect} had added, now left too. */
    private List<String> release(String id, ObjectNode state, Path dir) throws CniException {
        JsonNode network = state.get("network");
        if (network == null || !network.isObject()) {
            LOG.info("removed the state of stale container {} (no network attached)", id);
            return List.of();
        }
        NetworkConfigList list =
                NetworkConfigList.parse(network.toString(), state.path("source").asText("state of " + id), false);
        long pid = state.path("pid").asLong(-1);
        JsonNode result = state.get("result");
        NamespaceFile netns = null;
        // the claim renamed the directory: the pin's mount moved with it
        Path pin = state.hasNonNull("netns") ? dir.resolve(state.get("netns").asText()) : null;
        if (pin != null && !Mounts.isMountPoint(pin)) {
            pin = null;
        }
        if (pin == null && new ProcessIdentity(pid, state.path("pidStart").asLong(-1)).isAlive()) {
            try {
                netns = NamespaceFile.open(Path.of("/proc", Long.toString(pid), "ns", "net"));
            } catch (IllegalStateException gone) {
                netns = null;
            }
        }
        List<String> left;
        try {
            String path = pin != null
                    ? pin.toString()
                    : netns == null ? "" : netns.pathForOthers().toString();
            Path namespace = path.isEmpty() ? null : Path.of(path);
            left = connected.locked(() -> connected.removeAll(dir, namespace, id));
            Map<String, JsonNode> capabilityArgs = new HashMap<>();
            JsonNode ports = state.path("capabilityArgs");
            ports.fields().forEachRemaining(e -> capabilityArgs.put(e.getKey(), e.getValue()));
            cni.del(
                    list,
                    new CniClient.Attachment(id, path, NetworkIsolation.IFNAME, capabilityArgs),
                    result instanceof ObjectNode object ? object : null);
            LOG.info(
                    "released the network {} of stale container {}{}",
                    list.name(),
                    id,
                    netns == null ? "" : " (its process " + pid + " still runs, now without a network)");
        } finally {
            if (netns != null) {
                netns.close();
            }
        }
        if (pin != null) {
            NamespaceFile.unpin(pin);
        }
        return left;
    }

    private static boolean ownerAlive(ObjectNode state) {
        return new ProcessIdentity(
                        state.path("ownerPid").asLong(-1),
                        state.path("ownerStart").asLong(-1))
                .isAlive();
    }

    private static boolean olderThan(Path dir, Duration age) {
        try {
            FileTime modified = Files.getLastModifiedTime(dir);
            return modified.toInstant().isBefore(Instant.now().minus(age));
        } catch (IOException e) {
            return false;
        }
    }
}
