package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.IsolaException;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import io.isola.spi.support.NetworkInfo;
import io.isola.spi.support.NetworkRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The networks users create ({@code isola network create}): one conflist each in the
 * configuration directory, each with a bridge and a subnet of its own, and isola's facts about it
 * (id, creation time, labels) under the conflist's {@code "isola"} key, which CNI ignores.
 */
final class UserNetworks {

    private static final Logger LOG = LoggerFactory.getLogger(UserNetworks.class);
    /** Names that {@code --net} reads as modes, not networks. */
    private static final List<String> RESERVED = List.of("none", "host", "bridge", "default");

    private static final String META = "isola";

    private final NetworkConfigs configs;
    private final AttachmentStore store;

    UserNetworks(NetworkConfigs configs, AttachmentStore store) {
        this.configs = configs;
        this.store = store;
    }

    NetworkInfo create(NetworkRequest request) {
        String name = request.name();
        if (name == null || !NetworkConfigs.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("network name \"" + name
                    + "\": expected 1 to 128 letters, digits, '_', '.'" + " or '-', starting with a letter or digit");
        }
        if (RESERVED.contains(name) || name.equals(configs.defaultName())) {
            throw new IllegalArgumentException(
                    "network name \"" + name + "\": reserved for --net " + name + "; choose another name");
        }
        if (find(name).isPresent()) {
            throw new IllegalArgumentException("network with name " + name + " already exists");
        }
        try {
            // written first, so that it keeps the subnet it would take on a new machine (10.77.0.0/16)
            configs.defaultNetwork();
        } catch (CniException e) {
            LOG.debug("default network not written: {}", e.getMessage());
        }
        List<Ipv4Net> taken = configs.takenSubnets();
        Ipv4Net subnet;
        if (request.subnet() == null) {
            subnet = NetworkConfigs.firstFree(taken)
                    .orElseThrow(
                            () -> new IllegalArgumentException(
                                    "network \"" + name
                                            + "\": every candidate subnet 10.77.0.0/16 to 10.99.0.0/16 is in use on this host; give one with --subnet"));
        } else {
            subnet = Ipv4Net.parse(request.subnet())
                    .filter(net -> net.prefix() >= 8 && net.prefix() <= 30)
                    .orElseThrow(() -> new IllegalArgumentException("--subnet \"" + request.subnet()
                            + "\": expected an IPv4 network with a prefix of 8 to 30 bits, such as 10.90.0.0/16"));
            for (Ipv4Net other : taken) {
                if (subnet.overlaps(other)) {
                    throw new IllegalArgumentException("--subnet " + subnet + ": overlaps " + other
                            + ", which another network or a host route uses; choose a free subnet");
                }
            }
        }
        String gateway = gateway(subnet, request.gateway());
        String id = randomId();
        String bridge = "isola-" + id.substring(0, 9); // 15 bytes, the kernel's limit; names of any length fit
        ObjectNode list = configs.bridgeConflist(name, bridge, subnet, gateway, request.internal());
        ObjectNode meta = list.putObject(META);
        meta.put("id", id).put("created", Instant.now().toString()).put("internal", request.internal());
        ObjectNode labels = meta.putObject("labels");
        new TreeMap<>(request.labels()).forEach(labels::put);
        try {
            if (!configs.writeNew(configs.dir().resolve(name + ".conflist"), list)) {
                throw new IllegalArgumentException("network with name " + name + " already exists");
            }
        } catch (CniException e) {
            throw new IsolaException(e.getMessage(), e);
        }
        LOG.info("created network {} on bridge {}, subnet {}", name, bridge, subnet);
        return find(name).orElseThrow();
    }

    private static String gateway(Ipv4Net subnet, String requested) {
        if (requested == null) {
            return subnet.host(1);
        }
        Optional<Ipv4Net> address = Ipv4Net.parse(requested + "/32");
        Ipv4Net broadcast = new Ipv4Net(subnet.address() | ~(-1 << (32 - subnet.prefix())), 32);
        if (address.isEmpty()
                || !subnet.overlaps(address.get())
                || address.get().address() == subnet.address()
                || address.get().equals(broadcast)) {
            throw new IllegalArgumentException(
                    "--gateway \"" + requested + "\": expected a host address of the subnet " + subnet);
        }
        return requested;
    }

    List<NetworkInfo> list() {
        Map<String, NetworkInfo> byName = new TreeMap<>();
        Map<String, Map<String, String>> attached = attached();
        for (Path file : configs.files()) {
            try {
                NetworkConfigList list = NetworkConfigList.read(file);
                byName.putIfAbsent(list.name(), info(list, attached.getOrDefault(list.name(), Map.of())));
            } catch (CniException e) {
                LOG.warn("skipping {}", e.getMessage());
            }
        }
        return new ArrayList<>(byName.values());
    }

    Optional<NetworkInfo> find(String name) {
        return list().stream().filter(n -> n.name().equals(name)).findFirst();
    }

    void remove(String name) {
        NetworkInfo network =
                find(name).orElseThrow(() -> new IllegalArgumentException("network " + name + " not found"));
        if (!network.containers().isEmpty()) {
            throw new IllegalArgumentException("network " + name + " is in use by container "
                    + String.join(", ", network.containers().keySet()) + "; stop or remove it first");
        }
        try {
            Files.delete(Path.of(network.source()));
        } catch (IOException e) {
            throw new IsolaException("network " + name + ": cannot remove " + network.source() + ": " + e, e);
        }
        if (!network.bridge().isEmpty() && !network.builtIn()) {
            deleteBridge(network.bridge());
        }
        try {
            AttachmentStore.delete(
                    configs.leasesOf(name)); // host-local's lock and last-reserved files: no lease is left
        } catch (IOException e) {
            LOG.warn("network {}: its lease directory {} is left: {}", name, configs.leasesOf(name), e.toString());
        }
        LOG.info("removed network {}", name);
    }

    /** The bridge plugin leaves the bridge behind its last container; removing the network removes it. */
    private static void deleteBridge(String bridge) {
        if (!Files.exists(Path.of("/sys/class/net", bridge), LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Process ip = new ProcessBuilder("ip", "link", "delete", bridge, "type", "bridge")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!ip.waitFor(10, TimeUnit.SECONDS) || ip.exitValue() != 0) {
                LOG.warn(
                        "bridge {} is left: ip link delete said {}; remove it with: ip link delete {}",
                        bridge,
                        output,
                        bridge);
            }
        } catch (IOException e) {
            LOG.warn("bridge {} is left ({}); remove it with: ip link delete {}", bridge, e.getMessage(), bridge);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private NetworkInfo info(NetworkConfigList list, Map<String, String> containers) {
        JsonNode meta = list.json().path(META);
        List<Ipv4Net> subnets = Subnets.of(list);
        String subnet = subnets.isEmpty() ? "" : subnets.get(0).toString();
        String gateway = "";
        for (JsonNode plugin : list.plugins()) {
            for (JsonNode range : plugin.path("ipam").path("ranges")) {
                for (JsonNode set : range) {
                    if (gateway.isEmpty()) {
                        gateway = set.path("gateway").asText("");
                    }
                }
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        meta.path("labels")
                .fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        String id = meta.path("id").asText("");
        return new NetworkInfo(
                list.name(),
                id.isEmpty() ? nameId(list.name()) : id,
                meta.path("created").asText(""),
                subnet,
                gateway,
                meta.path("internal").asBoolean(false),
                labels,
                NetworkConfigs.bridgeOf(list).orElse(""),
                list.source(),
                list.name().equals(configs.defaultName()),
                containers);
    }

    /** Network name to (container id to its address with prefix), for the containers attached now. */
    private Map<String, Map<String, String>> attached() {
        Map<String, Map<String, String>> attached = new TreeMap<>();
        for (Path dir : store.dirs()) {
            store.read(dir).ifPresent(state -> {
                String network = state.path("network").path("name").asText("");
                if (!network.isEmpty()
                        && new ProcessIdentity(
                                        state.path("pid").asLong(-1),
                                        state.path("pidStart").asLong(-1))
                                .isAlive()) {
                    String address = "";
                    for (JsonNode ip : state.path("result").path("ips")) {
                        address = address.isEmpty() ? ip.path("address").asText("") : address;
                    }
                    attached.computeIfAbsent(network, n -> new TreeMap<>())
                            .put(state.path("containerId").asText(), address);
                }
            });
        }
        return attached;
    }

    private static String randomId() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A stable id for a network isola did not create (the default one, a user's own conflist). */
    private static String nameId(String name) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
