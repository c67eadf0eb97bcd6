package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.api.Network;
import io.isola.api.NetworkAddress;
import io.isola.api.PortMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --network} (or {@code --net}) and {@code -p}: the container's network, through the net isolator. Without either,
 * the container gets the net isolator's configured network ({@code mode} in
 * conf/io.isola.ns.net.cfg; as shipped {@code none}, a namespace of its own with only lo); {@code
 * --net host} is the one way to share the host's; {@code -p} alone means the default bridge
 * network, as with Docker.
 */
final class NetworkOptions {

    @Option(
            names = {"--network", "--net"},
            paramLabel = "MODE",
            description =
                    "Network: none, host, bridge, container:CONTAINER (its id, name or id prefix), or the NAME of a network in /etc/isola/net.d"
                            + " (default: mode in conf/io.isola.ns.net.cfg, as shipped none: a network namespace of its own with only lo, up;"
                            + " for a user other than root, pasta instead where pasta is installed and /dev/net/tun may be opened, as podman 5)."
                            + " host shares the host's network, without CAP_NET_RAW unless --cap-add NET_RAW.")
    private String net;

    /** --network as given; null without it. */
    String mode() {
        return net;
    }

    @Option(
            names = {"-p", "--publish"},
            paramLabel = "[HOSTPORT:]PORT[/PROTO]",
            description = "Forward a host port to a container port (tcp or udp), either a range such as 8000-8009;"
                    + " a PORT alone gets a free host port (see isola port); implies --net bridge.")
    private List<String> publish = new ArrayList<>();

    @Option(
            names = {"-P", "--publish-all"},
            description = "Publish every port the image exposes and --expose adds, each on"
                    + " a free host port (see isola port); implies --net bridge.")
    private boolean publishAll;

    @Option(
            names = "--expose",
            paramLabel = "PORT[-PORT][/PROTO]",
            description = "A port the container serves, published by -P.")
    private List<String> expose = new ArrayList<>();

    @Option(
            names = "--ip",
            paramLabel = "IPV4",
            description = "The container's address on its user-defined network (in its subnet, free).")
    private String ip;

    @Mixin
    private NameOptions names = new NameOptions();

    /** -P's choice of host ports, made once: the spec is built again once the framework runs. */
    private List<PortMapping> chosen;

    /** The host ports other containers publish: -P leaves them alone, -p refuses a running one's. */
    private Supplier<PortsInUse> othersPorts = () -> PortsInUse.NONE;

    /** The network the options ask for, checked, without -P's ports (chosen once the image is known); empty when they ask for none. */
    Optional<Network> network() {
        return network(null);
    }

    /** As {@link #network()}; {@code exposed}: the image's ports, which -P publishes ({@code 80/tcp}) with --expose's; null: not yet. */
    private Optional<Network> network(Supplier<List<String>> exposed) {
        List<ExposedPort> exposes = expose.stream()
                .flatMap(e -> ExposedPort.parse(e, "--expose").stream())
                .toList();
        if (net == null && publish.isEmpty() && !publishAll) {
            return Optional.empty();
        }
        Network network = Network.parse(net == null ? "bridge" : net);
        List<PublishFlag> flags = publish.stream().map(PublishFlag::parse).toList();
        for (PublishFlag flag : flags) {
            network = network.publish(flag.fixed().toArray(PortMapping[]::new));
        }
        List<ExposedPort> free =
                flags.stream().flatMap(flag -> flag.free().stream()).toList();
        if ((publishAll || !free.isEmpty())
                && exposed != null
                && (network.mode() == Network.Mode.BRIDGE || network.mode() == Network.Mode.NAMED)) {
            if (chosen == null) {
                List<ExposedPort> all = new ArrayList<>(free);
                if (publishAll) {
                    exposed.get().forEach(port -> all.addAll(ExposedPort.parse(port, "the image's ExposedPorts")));
                    all.addAll(exposes);
                }
                chosen = ExposedPort.publishAll(
                        all, network.ports(), othersPorts.get().published());
            }
            network = network.publish(chosen.toArray(PortMapping[]::new));
        }
        return Optional.of(network);
    }

    /** -P's host ports, kept from the container's state when it has them (a monitor or a restart builds the spec again). */
    void reusePublished(List<String> saved) {
        List<PublishFlag> flags = publish.stream().map(PublishFlag::parse).toList();
        boolean chooses =
                publishAll || flags.stream().anyMatch(flag -> !flag.free().isEmpty());
        if (chooses && chosen == null && saved != null) {
            chosen = saved.stream()
                    .map(PortMapping::parse)
                    .filter(p -> flags.stream().noneMatch(flag -> flag.fixed().contains(p)))
                    .toList();
        }
    }

    /**
     * Refuses a -p host port that a running container publishes, as Docker's "port is already
     * allocated": both would get the same forwarding rule and one would silently win.
     */
    private void refuseTaken(PortsInUse inUse) {
        for (PublishFlag flag : publish.stream().map(PublishFlag::parse).toList()) {
            for (PortMapping port : flag.fixed()) {
                String holder = inUse.running().get(port.hostPort());
                if (holder != null) {
                    throw new IllegalArgumentException("-p " + port + ": host port " + port.hostPort()
                            + " is already published by running container " + holder
                            + "; choose another host port or stop that container");
                }
            }
        }
    }

    /**
     * Adds the net isolator to {@code isolators} when the options ask for a network namespace, and
     * removes it for {@code --net host}; without options the configured defaults decide.
     */
    void select(Set<String> isolators) {
        network().ifPresent(network -> {
            if (network.mode() == Network.Mode.HOST) {
                isolators.remove("net");
            } else {
                isolators.add("net");
            }
        });
    }

    /**
     * Adds the network to the container's spec; {@code containerIds} turns the name or id prefix
     * of {@code --net container:REF} into the container's id, as every other verb takes them.
     */
    void configure(
            ContainerSpec.Builder builder,
            UnaryOperator<String> containerIds,
            Supplier<List<String>> exposed,
            String containerName,
            Supplier<PortsInUse> othersPorts) {
        this.othersPorts = othersPorts;
        if (!publish.isEmpty()) { // only then: reading every container's state costs a run without ports nothing
            refuseTaken(othersPorts.get());
        }
        Optional<Network> network = network(exposed)
                .map(n -> n.mode() != Network.Mode.CONTAINER
                        ? n
                        : new Network(Network.Mode.CONTAINER, containerIds.apply(n.target()), n.ports()));
        network.ifPresent(builder::with);
        if (ip != null) {
            if (network.map(Network::mode).orElse(null) != Network.Mode.NAMED) {
                throw new IllegalArgumentException(
                        "--ip " + ip + ": only on a user-defined network, as Docker's; add --network NAME");
            }
            builder.with(new NetworkAddress(ip));
        }
        names.resolution(network.map(Network::mode).orElse(null), containerName).ifPresent(builder::with);
    }
}
