package io.isola.ns.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.ns.net.cni.CniException;
import io.isola.ns.net.cni.NetworkConfigList;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The networks users can name: CNI configuration files in one directory, found as libcni finds
 * them ({@code NAME.conflist}, {@code NAME.conf}, {@code NAME.json}, else any of those whose
 * {@code "name"} is NAME), plus the runtime's default bridge network, written there on first use.
 */
final class NetworkConfigs {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkConfigs.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EXTENSIONS = List.of(".conflist", ".conf", ".json");
    /** What {@code network create} accepts, as Docker does; never a path. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private final Path dir;
    private final String defaultName;
    private final String defaultSubnet;
    private final Path ipamDir;

    /** {@code ipamDir}: where host-local keeps the default network's leases (under the runtime directory). */
    NetworkConfigs(Path dir, String defaultName, String defaultSubnet, Path ipamDir) {
        this.dir = dir;
        this.defaultName = defaultName;
        this.defaultSubnet = defaultSubnet;
        this.ipamDir = ipamDir;
    }

    Path dir() {
        return dir;
    }

    String defaultName() {
        return defaultName;
    }

    /** The network called {@code name}; an error names the file when it exists but is unusable. */
    NetworkConfigList find(String name) throws CniException {
        // only a name that can be a file name is looked up as one: "../x" must not read a file
        // outside the directory (the scan below still finds it by its "name" inside the directory)
        for (String extension : NAME.matcher(name).matches() ? EXTENSIONS : List.<String>of()) {
            Path file = dir.resolve(name + extension);
            if (Files.isRegularFile(file)) {
                NetworkConfigList list = NetworkConfigList.read(file);
                if (!list.name().equals(name)) {
                    throw new CniException("network configuration " + file + ": its \"name\" is \"" + list.name()
                            + "\", expected \"" + name + "\" as its file name says");
                }
                return list;
            }
        }
        for (Path file : files()) {
            try {
                NetworkConfigList list = NetworkConfigList.read(file);
                if (list.name().equals(name)) {
                    return list;
                }
            } catch (CniException e) {
                LOG.warn("skipping {}", e.getMessage());
            }
        }
        throw new CniException("network \"" + name + "\": no configuration in " + dir + " (expected " + name
                + ".conflist, or a file whose \"name\" is \"" + name + "\")");
    }

    /** The default bridge network, written with a subnet free on this host when it does not exist yet. */
    NetworkConfigList defaultNetwork() throws CniException {
        Path file = dir.resolve(defaultName + ".conflist");
        if (!Files.exists(file)) {
            write(file, defaultConflist());
        }
        return find(defaultName);
    }

    /** bridge + host-local + portmap on the default network's bridge: see {@link #bridgeConflist}. */
    private ObjectNode defaultConflist() throws CniException {
        Ipv4Net subnet = defaultSubnet.isBlank()
                ? freeSubnet()
                : Ipv4Net.parse(defaultSubnet)
                        .orElseThrow(() -> new CniException("default network subnet \"" + defaultSubnet
                                + "\": expected an IPv4 network such as 10.77.0.0/16"));
        return bridgeConflist(defaultName, bridgeName(defaultName), subnet, subnet.host(1), false);
    }

    /**
     * bridge + host-local + portmap, as podman's default network: a gateway on the bridge, masquerade
     * for traffic leaving the subnet, published ports through portmap. An {@code internal} network
     * has neither gateway nor masquerade: its containers reach each other and nothing else.
     */
    ObjectNode bridgeConflist(String name, String bridgeName, Ipv4Net subnet, String gateway, boolean internal) {
        ObjectNode list = JSON.createObjectNode();
        list.put("cniVersion", "1.0.0");
        list.put("name", name);
        ArrayNode plugins = list.putArray("plugins");
        ObjectNode bridge = plugins.addObject();
        bridge.put("type", "bridge");
        bridge.put("bridge", bridgeName);
        bridge.put("isGateway", !internal);
        bridge.put("ipMasq", !internal);
        bridge.put("hairpinMode", true);
        if (!name.equals(defaultName)) {
            // --ip: the runtime passes the address asked for, the bridge hands it to host-local
            bridge.putObject("capabilities").put("ips", true);
        }
        ObjectNode ipam = bridge.putObject("ipam");
        ipam.put("type", "host-local");
        // leases live as long as the containers' state: on the runtime directory's tmpfs, a reboot
        // (which ends every container) drops them too, where /var/lib/cni would keep them forever
        ipam.put("dataDir", ipamDir.toString());
        if (!internal) {
            ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        }
        ipam.putArray("ranges")
                .addArray()
                .addObject()
                .put("subnet", subnet.toString())
                .put("gateway", gateway);
        ObjectNode portmap = plugins.addObject();
        portmap.put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        return list;
    }

    /** Where host-local keeps the leases of network {@code name}. */
    Path leasesOf(String name) {
        return ipamDir.resolve(name);
    }

    /** A Linux interface name (at most 15 bytes) for the network's bridge. */
    static String bridgeName(String network) {
        String name = network.replaceAll("[^A-Za-z0-9_-]", "");
        return (name.length() > 14 ? name.substring(0, 14) : name) + "0";
    }

    /**
     * The subnet of the network's bridge where it lives on from a configuration that has gone (a new
     * /etc/isola, a removed file: the bridge plugin refuses a bridge with another address); else the
     * first candidate that no host route and no other configured network uses.
     */
    private Ipv4Net freeSubnet() throws CniException {
        String bridge = bridgeName(defaultName);
        Optional<Ipv4Net> left = Ipv4Net.ofInterface(bridge);
        if (left.isPresent()) {
            LOG.info(
                    "default network {}: its bridge {} is still on {}, which it takes again",
                    defaultName,
                    bridge,
                    left.get());
            return left.get();
        }
        return firstFree(takenSubnets())
                .orElseThrow(() -> new CniException("default network \"" + defaultName
                        + "\": every candidate subnet 10.77.0.0/16 to 10.99.0.0/16 is in use on this host; set a subnet in the"
                        + " network isolator's configuration"));
    }

    /** The subnets of the host's routes and of every configured network. */
    List<Ipv4Net> takenSubnets() {
        List<Ipv4Net> taken = new ArrayList<>();
        for (Ipv4Net.Route route : Ipv4Net.hostRoutes()) {
            taken.add(route.destination());
        }
        for (Path file : files()) {
            try {
                taken.addAll(Subnets.of(NetworkConfigList.read(file)));
            } catch (CniException e) {
                LOG.debug("not considering {}", e.getMessage());
            }
        }
        return taken;
    }

    /** The first of 10.77.0.0/16 to 10.99.0.0/16 that overlaps nothing in {@code taken}. */
    static Optional<Ipv4Net> firstFree(List<Ipv4Net> taken) {
        for (int second = 77; second <= 99; second++) {
            Ipv4Net candidate = new Ipv4Net(10 << 24 | second << 16, 16);
            if (taken.stream().noneMatch(candidate::overlaps)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private void write(Path file, JsonNode content) throws CniException {
        if (!writeNew(file, content)) {
            return;
        }
        LOG.info("wrote the default network {} to {}", defaultName, file);
    }

    /**
     * Writes {@code file} whole under a temporary name and moves it into place unless it exists
     * meanwhile; whether it did. A concurrent first run may have written it: whichever came first stays.
     */
    boolean writeNew(Path file, JsonNode content) throws CniException {
        String name = file.getFileName().toString();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
            try {
                Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(content));
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                // link(2) semantics would be exact; a move checked just before is what the default network always did
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file);
                return true;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CniException("network configuration " + file + ": cannot be written: " + e);
        }
    }

    List<Path> files() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(
                            p -> EXTENSIONS.stream().anyMatch(p.getFileName().toString()::endsWith))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The bridge interface a list attaches to ({@code cni0} is the bridge plugin's default). */
    static Optional<String> bridgeOf(NetworkConfigList list) {
        return list.plugins().stream()
                .filter(p -> p.path("type").asText().equals("bridge"))
                .map(p -> p.path("bridge").asText("cni0"))
                .findFirst();
    }
}
