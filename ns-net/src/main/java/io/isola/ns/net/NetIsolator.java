package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.ContainerSpec;
import io.isola.api.DeferredStart;
import io.isola.api.NameResolution;
import io.isola.api.Network;
import io.isola.api.NetworkAddress;
import io.isola.api.PortMapping;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.ns.net.cni.CniClient;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import io.isola.ns.net.cni.PluginPath;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.LeftoverSweeper;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.NamespaceFile;
import io.isola.spi.support.NetworkAdmin;
import io.isola.spi.support.NetworkAttachment;
import io.isola.spi.support.NetworkInfo;
import io.isola.spi.support.NetworkRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network namespace per container, networked through CNI plugins ({@link Network} says how:
 * none, host, bridge, container:ID or a named network). The first container this isolator
 * prepares also sweeps what crashed hosts left behind ({@link StaleSweeper}).
 */
// on by default: a container shares the host's network only when it asks (--net host, Network.host(),
// or mode = host in conf/io.isola.ns.net.cfg); the host's loopback is no place for a container to sniff
@Component(
        service = {NamespaceIsolator.class, LeftoverSweeper.class, NetworkAdmin.class},
        configurationPid = "io.isola.ns.net",
        property = "enabled=true")
@Designate(ocd = NetIsolator.Config.class)
public final class NetIsolator implements NamespaceIsolator, LeftoverSweeper, NetworkAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(NetIsolator.class);

    @ObjectClassDefinition(name = "isola network namespace", description = "Container networking through CNI plugins")
    public @interface Config {
        @AttributeDefinition(
                description = "Name of the default bridge network (written to the config directory if missing)")
        String network() default "isola";

        @AttributeDefinition(
                description = "Network of containers whose spec sets none: none (only lo, up), host,"
                        + " bridge or a network name")
        String mode() default "none";

        @AttributeDefinition(description = "Directories searched for CNI plugins, as CNI_PATH")
        String cniPath() default PluginPath.DEFAULT;

        @AttributeDefinition(description = "Directory of CNI network configurations (.conflist)")
        String configDir() default "/etc/isola/net.d";

        @AttributeDefinition(description = "Directory of the containers' network state and generated /etc files")
        String runtimeDir() default "/run/isola/net";

        @AttributeDefinition(
                description = "IPv4 subnet of the default network when it is written; empty picks a free one")
        String subnet() default "";
    }

    /** The settings of {@link Config}, as a plain value for use without OSGi and in tests. */
    record Settings(String network, String mode, String cniPath, Path configDir, Path runtimeDir, String subnet) {
        static final Settings DEFAULTS = new Settings(
                "isola", "none", PluginPath.DEFAULT, Path.of("/etc/isola/net.d"), Path.of("/run/isola/net"), "");
    }

    private final HostIdentity host = HostIdentity.current();
    private final Network defaultNetwork;
    private final CniClient cni;
    private final NetworkConfigs configs;
    private final AttachmentStore store;
    private final StaleSweeper sweeper;
    private final UserNetworks networks;
    private final PeerHosts peers;
    private final ConnectedNetworks connected;
    private final Connections connections;

    /** For use without OSGi (ServiceLoader): the defaults of {@link Config}. */
    public NetIsolator() {
        this(Settings.DEFAULTS);
    }

    /** Throws, naming the key and what it allows, for a bad value of the configuration. */
    @Activate
    public NetIsolator(Config config) {
        this(SettingsCheck.check(
                config.network(),
                config.mode(),
                config.cniPath(),
                config.configDir(),
                config.runtimeDir(),
                config.subnet()));
    }

    NetIsolator(Settings settings) {
        this.defaultNetwork = Network.parse(settings.mode());
        this.cni = new CniClient(PluginPath.parse(settings.cniPath()));
        Path runtimeDir = Rootless.runtimeDir(settings.runtimeDir(), host);
        this.configs = new NetworkConfigs(
                settings.configDir(), settings.network(), settings.subnet(), runtimeDir.resolve("ipam"));
        this.store = new AttachmentStore(runtimeDir);
        this.peers = new PeerHosts(store, runtimeDir);
        this.connected = new ConnectedNetworks(cni, runtimeDir);
        this.sweeper = new StaleSweeper(store, cni, peers, connected);
        this.networks = new UserNetworks(configs, store);
        this.connections = new Connections(store, configs, networks, connected, peers);
    }

    @Override
    public NetworkInfo create(NetworkRequest request) {
        return networks.create(request);
    }

    @Override
    public List<NetworkInfo> list() {
        return networks.list();
    }

    @Override
    public Optional<NetworkInfo> find(String name) {
        return networks.find(name);
    }

    @Override
    public void remove(String name) {
        networks.remove(name);
    }

    @Override
    public NetworkAttachment connect(String network, String containerId, List<String> names, String ipv4) {
        return connections.connect(network, containerId, names, ipv4);
    }

    @Override
    public void disconnect(String network, String containerId) {
        connections.disconnect(network, containerId);
    }

    @Override
    public List<NetworkAttachment> attachments(String containerId) {
        return connections.attachments(containerId);
    }

    @Override
    public String name() {
        return "net";
    }

    @Override
    public Namespace namespace() {
        return Namespace.NET;
    }

    /** {@code --net host} shares the host's network namespace: nothing to create. */
    @Override
    public boolean appliesTo(ContainerSpec spec) {
        return networkOf(spec).mode() != Network.Mode.HOST;
    }

    private Network networkOf(ContainerSpec spec) {
        return spec.extension(Network.class)
                .orElseGet(() -> Pasta.rootlessDefault(defaultNetwork, host, System.getenv("PATH"), Pasta.TUN));
    }

    /**
     * Releases what crashed hosts left behind: CNI DEL for every container whose owning process is
     * gone. Runs by itself before the first container; callable at any time.
     */
    public int cleanupStale() {
        return sweeper.sweep();
    }

    /** The lifecycle's call, once it removed a container whose monitor died: see {@link #cleanupStale}. */
    @Override
    public int sweep() {
        return sweeper.sweep();
    }

    @Override
    public Isolation prepare(IsolationRequest request) throws Exception {
        ContainerSpec spec = request.spec();
        Network network = networkOf(spec);
        NetworkAddress address = spec.extension(NetworkAddress.class).orElse(null);
        Rootless.check(network, host);
        sweeper.sweepOnce();
        String id = request.containerId();
        NameResolution asked = spec.extension(NameResolution.class).orElse(ResolvConf.NOTHING_ASKED);
        String hostname = request.selected(Namespace.UTS)
                ? spec.hostname().orElse(id.substring(0, Math.min(12, id.length())))
                : Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();

        NetworkConfigList list = null;
        NamespaceFile joined = null;
        Path joinedDir = null;
        Pasta pasta = Pasta.wanted(network, host) ? Pasta.of(network, host, System.getenv("PATH"), Pasta.TUN) : null;
        try {
            switch (pasta != null ? Network.Mode.NONE : network.mode()) {
                case NONE -> {
                    // only lo, which needs no plugin; or pasta's network, made after the clone
                }
                case HOST ->
                    throw new IllegalStateException("--net host: the runtime asked for a network namespace for a"
                            + " container that shares the host's (it ignores NamespaceIsolator.appliesTo)");
                case BRIDGE, NAMED -> {
                    list = network.mode() == Network.Mode.BRIDGE
                            ? configs.defaultNetwork()
                            : configs.find(network.target());
                    cni.checkInstalled(list);
                    Subnets.checkNoClash(list);
                    if (!network.ports().isEmpty() && !list.hasCapability("portMappings")) {
                        throw new CniException(list.describe() + ": cannot publish " + network.ports()
                                + ": no plugin of the network has the portMappings capability (add portmap)");
                    }
                    if (address != null) {
                        requireAddressable(list, network, address);
                    }
                }
                case CONTAINER -> {
                    joinedDir = store.dirOf(network.target());
                    joined = openNetnsOf(network.target(), joinedDir);
                }
            }
        } catch (CniException e) {
            throw new IllegalArgumentException(e.getMessage() + Rootless.rootlessOnly(network), e);
        }

        // the owner is in the directory from its first moment on: a host killed at any point after
        // this is seen to be gone by the next sweep, whatever else it had made yet
        ObjectNode state = JsonNodeFactory.instance
                .objectNode()
                .put("containerId", id)
                .put("ownerPid", ProcessIdentity.self().pid())
                .put("ownerStart", ProcessIdentity.self().startTime())
                .put("mode", network.toString());
        Path dir;
        try {
            if (Files.exists(store.dirOf(id), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                // an earlier container of this id that is gone without its state released (an OCI
                // one whose engine never deleted it): released now if so, else refused below
                sweeper.sweep();
            }
            dir = store.create(id, state);
        } catch (RuntimeException | java.io.IOException e) {
            if (joined != null) {
                joined.close();
            }
            throw e;
        }
        try {
            EtcFiles etc = new EtcFiles(dir, request.selected(Namespace.UTS));
            if (list == null && joined == null) {
                // --net none: the files' content is known now (no address, the host's DNS), so they
                // are written whole here rather than created empty and filled after the clone,
                // which is on the path of every start while the child waits
                etc.write(hostname, List.of(), null, asked, null);
            } else {
                etc.createEmpty();
            }
            boolean bindEtc = request.selected(Namespace.MOUNT);
            if (!bindEtc) {
                LOG.debug("container {} has no mount namespace: it sees the host's /etc/hosts and resolv.conf", id);
            } else if (request.provided(Duty.BIND_REQUESTS)) {
                etc.binds().forEach(request::requestBind);
                bindEtc = false; // the mount isolator binds them inside the container's root
            }
            // as Docker's default bridge, the default network resolves no names; a named one does
            List<String> names = network.mode() == Network.Mode.NAMED ? memberNames(asked, id) : List.of();
            return NetworkIsolation.builder()
                    .cni(cni)
                    .network(list)
                    .capabilityArgs(capabilityArgs(network, address))
                    .connected(connected)
                    .store(store)
                    .dir(dir)
                    .state(state)
                    .childOwns(spec.extension(DeferredStart.class).isPresent())
                    .id(id)
                    .hostname(hostname)
                    .etc(etc)
                    .bindEtc(bindEtc)
                    .names(new NetworkIsolation.Names(asked, names, peers))
                    .joined(joined)
                    .joinedDir(joinedDir)
                    .childLoopback(!host.isRoot())
                    .pasta(pasta)
                    .build();
        } catch (Exception e) {
            AttachmentStore.delete(dir);
            if (joined != null) {
                joined.close();
            }
            throw e;
        }
    }

    /**
     * The network namespace of running container {@code id}, held open: found through its state
     * file, and checked again after opening so that a reused pid is never joined.
     */
    private NamespaceFile openNetnsOf(String id, Path dir) {
        ObjectNode other = store.read(dir).orElse(null);
        long pid = other == null ? -1 : other.path("pid").asLong(-1);
        long start = other == null ? -1 : other.path("pidStart").asLong(-1);
        String missing = "--net container:" + id + ": no running container with this id has a network namespace;"
                + " expected the id of a running container";
        if (!new ProcessIdentity(pid, start).isAlive()) {
            throw new IllegalArgumentException(missing);
        }
        NamespaceFile file;
        try {
            file = NamespaceFile.open(Path.of("/proc", Long.toString(pid), "ns", "net"));
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(missing, e);
        }
        if (!new ProcessIdentity(pid, start).isAlive()) {
            file.close();
            throw new IllegalArgumentException(missing);
        }
        return file;
    }

    /** What the other containers of a user-defined network find this one by: its names and aliases, then its short id. */
    private static List<String> memberNames(NameResolution asked, String id) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>(asked.names());
        names.add(id.substring(0, Math.min(12, id.length())));
        return List.copyOf(names);
    }

    /** CNI capability arguments: {@code portMappings} as the portmap plugin reads them, {@code ips} as host-local does. */
    private static Map<String, JsonNode> capabilityArgs(Network network, NetworkAddress address) {
        Map<String, JsonNode> args = new java.util.HashMap<>();
        if (!network.ports().isEmpty()) {
            ArrayNode mappings = JsonNodeFactory.instance.arrayNode();
            for (PortMapping port : network.ports()) {
                com.fasterxml.jackson.databind.node.ObjectNode mapping = mappings.addObject()
                        .put("hostPort", port.hostPort())
                        .put("containerPort", port.containerPort())
                        .put("protocol", port.protocol());
                if (port.hostIp() != null) {
                    mapping.put("hostIP", port.hostIp()); // portmap's DNAT rule then matches that destination only
                }
            }
            args.put("portMappings", mappings);
        }
        if (address != null) {
            args.put("ips", JsonNodeFactory.instance.arrayNode().add(address.ipv4()));
        }
        return Map.copyOf(args);
    }

    /** --ip: only on a user-defined network that passes it to its IPAM, and inside its subnet. */
    private static void requireAddressable(NetworkConfigList list, Network network, NetworkAddress address)
            throws CniException {
        if (network.mode() != Network.Mode.NAMED) {
            throw new CniException(
                    "--ip " + address.ipv4() + ": only on a user-defined network, as Docker's; add --network NAME");
        }
        try {
            requireInSubnet(list, address.ipv4(), "--ip");
        } catch (IllegalArgumentException e) {
            throw new CniException(e.getMessage());
        }
    }

    /** An address {@code flag} asks for on {@code list}: its IPAM must take it, and it must be in the subnet. */
    static void requireInSubnet(NetworkConfigList list, String ipv4, String flag) {
        if (!list.hasCapability("ips")) {
            throw new IllegalArgumentException(
                    list.describe() + ": cannot give " + flag + " " + ipv4 + ": no plugin of the network has"
                            + " the ips capability (networks of isola network create have it)");
        }
        Ipv4Net asked = Ipv4Net.parse(ipv4 + "/32")
                .orElseThrow(() -> new IllegalArgumentException(
                        flag + " \"" + ipv4 + "\": expected an IPv4 address such as 10.90.0.5"));
        if (Subnets.of(list).stream().noneMatch(asked::overlaps)) {
            throw new IllegalArgumentException(
                    flag + " " + ipv4 + ": not in the subnet " + Subnets.of(list) + " of " + list.describe());
        }
    }
}
