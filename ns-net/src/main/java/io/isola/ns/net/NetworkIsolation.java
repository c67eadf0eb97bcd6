package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.ns.net.cni.CniClient;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import io.isola.spi.ChildSteps;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.support.Loopback;
import io.isola.spi.support.NamespaceFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container's network: its own namespace with {@code lo} up and, for a network, the CNI ADD
 * of that network's list, or the namespace of another container joined.
 *
 * <p>As root, {@code lo} is brought up from the host ({@link Loopback}, a thread that joins the
 * namespace for two ioctls) in {@link #afterClone}, before any network is attached: exec'ing the
 * CNI loopback plugin did the same for a 30-50 ms process start. A rootless runtime cannot join
 * the namespace, so its child brings lo up itself ({@link Rootless#loopbackUp}).
 *
 * <p>The ADD runs in {@link #afterClone} while the child waits at its first checkpoint or gate;
 * the DEL runs in {@link #close}, always, even when the ADD failed halfway (DEL tolerates what
 * was never created). Before the ADD the namespace is pinned to a file in the container's state
 * directory (a bind mount, as {@code ip netns add} does), and the plugins get that file as
 * {@code CNI_NETNS}: the DEL must still find the container's interface, and the addresses whose
 * masquerade rules the bridge plugin removes, after the container's last process is gone, even
 * when the host JVM died in between and a later sweep runs the DEL. The state file is written
 * before the ADD and removed after a successful DEL.
 */
final class NetworkIsolation implements Isolation {

    static final String IFNAME = "eth0";
    /** The file in the state directory that the namespace is pinned to. */
    static final String PIN = "netns";

    private static final Logger LOG = LoggerFactory.getLogger(NetworkIsolation.class);

    private final CniClient cni;
    private final AttachmentStore store;
    private final String id;
    private final String hostname;
    private final NetworkConfigList network;
    private final Map<String, JsonNode> capabilityArgs;
    private final NamespaceFile joined;
    private final Path joinedDir;
    private final Path dir;
    private final EtcFiles etc;
    private final boolean bindEtc;
    private final boolean childLoopback;
    private final ObjectNode state;
    private final Pasta pasta;
    private final Names names;
    private final ConnectedNetworks connected;
    private final boolean childOwns;
    private Path pin;
    private ObjectNode result;
    private boolean attached;
    private boolean closed;

    NetworkIsolation(NetworkIsolationBuilder parts) {
        this.cni = Objects.requireNonNull(parts.cni, "cni");
        this.store = Objects.requireNonNull(parts.store, "store");
        this.id = Objects.requireNonNull(parts.id, "id");
        this.hostname = Objects.requireNonNull(parts.hostname, "hostname");
        this.network = parts.network;
        this.capabilityArgs = Objects.requireNonNull(parts.capabilityArgs, "capabilityArgs");
        this.joined = parts.joined;
        this.joinedDir = parts.joinedDir;
        this.dir = Objects.requireNonNull(parts.dir, "dir");
        this.etc = Objects.requireNonNull(parts.etc, "etc");
        this.bindEtc = parts.bindEtc;
        this.childLoopback = parts.childLoopback;
        this.state = Objects.requireNonNull(parts.state, "state");
        this.pasta = parts.pasta;
        this.names = Objects.requireNonNull(parts.names, "names");
        this.connected = Objects.requireNonNull(parts.connected, "connected");
        this.childOwns = parts.childOwns;
        if ((joined == null) != (joinedDir == null)) {
            throw new IllegalStateException("a joined namespace and the joined container's directory go together");
        }
    }

    static NetworkIsolationBuilder builder() {
        return new NetworkIsolationBuilder();
    }

    /**
     * What the container asked of its /etc files, and, on a user-defined network, the names the
     * other containers find it by ({@code member}, empty elsewhere) and who keeps their hosts files.
     */
    record Names(io.isola.api.NameResolution asked, List<String> member, PeerHosts peers) {}

    @Override
    public void contribute(ChildSteps steps) {
        if (joined != null) {
            // the child was cloned into a fresh network namespace (the namespace set is fixed before
            // prepare); joining replaces it, and the kernel frees the fresh one with its last reference
            steps.keepOpen(joined.fd());
            steps.add(Phase.NAMES, joined.join(Namespace.NET));
        } else if (childLoopback) {
            Rootless.loopbackUp().forEach(step -> steps.add(Phase.NAMES, step));
        }
        if (bindEtc) {
            etc.bindMounts().forEach(step -> steps.add(Phase.FILESYSTEM, step));
        }
    }

    @Override
    public void afterClone(ClonedChild child) throws Exception {
        long start = ProcessIdentity.of(child.pid()).startTime();
        state.put("pid", child.pid()).put("pidStart", start);
        if (childOwns) {
            // the process that prepared an OCI create exits (a create of its own) or lives on (the
            // resident server of a thin create): neither bounds the container's life, which ends
            // with its process; the engine's delete, or the next start, then sweeps the state
            state.put("ownerPid", child.pid()).put("ownerStart", start);
        }
        if (joined != null) {
            store.write(dir, state);
            etc.copyFrom(joinedDir, hostname);
            return;
        }
        Path path = child.namespacePath(Namespace.NET);
        if (!childLoopback) {
            // first, so that a failure leaves no network to detach
            Loopback.up(path);
        }
        if (network != null) {
            // recorded before anything exists, so that a crash from here on is swept
            state.put("netns", PIN);
            state.set("network", network.json());
            state.put("source", network.source());
            ObjectNode caps = state.putObject("capabilityArgs");
            capabilityArgs.forEach(caps::set);
            attached = true;
            store.write(dir, state);
            pin = dir.resolve(PIN);
            NamespaceFile.pin(path, pin);
            path = pin;
        } else {
            store.write(dir, state);
            if (pasta != null) {
                pasta.start(child.pid(), dir);
                LOG.info("container {}: network of pasta's", id);
            }
        }
        List<String> addresses = new ArrayList<>();
        JsonNode dns = null;
        if (network != null) {
            try {
                result = cni.add(network, attachment(path.toString()));
            } catch (CniException e) {
                throw BridgeAddressClash.explain(e, network);
            }
            state.set("result", result);
            store.write(dir, state);
            for (JsonNode ip : result.path("ips")) {
                String address = ip.path("address").asText("");
                addresses.add(address.contains("/") ? address.substring(0, address.indexOf('/')) : address);
            }
            dns = result.get("dns");
            LOG.info("container {}: attached to network {} as {}", id, network.name(), addresses);
        }
        if (network != null) { // without a network, prepare wrote the files whole
            String hosts = etc.write(hostname, addresses, dns, names.asked(), gateway(result));
            // kept on every network: a network connect later adds the peers of another below it
            state.put("hosts", hosts).put("hostname", hostname);
            names.member().forEach(state.putArray("names")::add);
            store.write(dir, state);
            if (!names.member().isEmpty()) {
                names.peers().refresh(network.name());
            }
        }
    }

    /** The first IPv4 gateway of an ADD result, or null. */
    private static String gateway(JsonNode result) {
        for (JsonNode ip : result.path("ips")) {
            String gateway = ip.path("gateway").asText("");
            if (gateway.contains(".")) {
                return gateway;
            }
        }
        return null;
    }

    private CniClient.Attachment attachment(String netnsPath) {
        return new CniClient.Attachment(id, netnsPath, IFNAME, capabilityArgs);
    }

    /** The container's addresses from its ADD result, without prefix length (empty before ADD). */
    List<String> addresses() {
        List<String> out = new ArrayList<>();
        if (result != null) {
            result.path("ips").forEach(ip -> out.add(ip.path("address").asText().replaceAll("/.*", "")));
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (attached) {
            // under the lock: no network connect adds an interface that this teardown would miss
            connected.locked(() -> {
                detach();
                return null;
            });
        } else {
            detach();
        }
    }

    private void detach() throws Exception {
        boolean detached = true;
        List<String> left = List.of();
        try {
            if (attached) {
                left = connected.removeAll(dir, pin, id);
                cni.del(network, attachment(pin == null ? "" : pin.toString()), result);
                LOG.debug("container {}: detached from network {}", id, network.name());
            }
        } catch (CniException e) {
            detached = false;
            throw new CniException(
                    e.getMessage() + "; " + dir + " is kept so that a later start retries the DEL", e.code(), e);
        } finally {
            if (joined != null) {
                joined.close();
            }
            if (pasta != null) {
                Pasta.stop(dir, id);
            }
            if (detached) {
                if (pin != null) {
                    NamespaceFile.unpin(pin);
                }
                AttachmentStore.delete(dir);
                if (attached && !names.member().isEmpty()) {
                    names.peers().refresh(network.name()); // its line leaves the others' files
                }
                left.forEach(names.peers()::refresh);
            } else {
                // a later sweep retries: mark the owner gone, as for a crashed host
                state.put("ownerPid", -1);
                store.write(dir, state);
            }
        }
    }
}
