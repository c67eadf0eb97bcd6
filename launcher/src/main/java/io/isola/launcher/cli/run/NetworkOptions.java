package io.isola.launcher.cli.run;

import io.isola.api.ContainerSpec;
import io.isola.api.Network;
import io.isola.api.PortMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * {@code --network} (or {@code --net}) and {@code -p}: the container's network, through the net isolator. Without either,
 * the container gets the net isolator's configured network ({@code mode} in
 * conf/io.isola.ns.net.cfg; as shipped {@code none}, a namespace of its own with only lo); {@code
 * --net host} is the one way to share the host's; {@code -p} alone means the default bridge
 * network, as with Docker.
 */
final class NetworkOptions {

    @Option(names = {"--network", "--net"}, paramLabel = "MODE",
            description = "Network: none, host, bridge, container:CONTAINER (its id, name or id prefix), or the NAME of a network in /etc/isola/net.d"
                    + " (default: mode in conf/io.isola.ns.net.cfg, as shipped none: a network namespace of its own with only lo, up;"
                    + " for a user other than root, pasta instead where pasta is installed and /dev/net/tun may be opened, as podman 5)."
                    + " host shares the host's network, without CAP_NET_RAW unless --cap-add NET_RAW.")
    private String net;

    @Option(names = {"-p", "--publish"}, paramLabel = "HOSTPORT:PORT[/PROTO]",
            description = "Forward a host port to a container port (tcp or udp); implies --net bridge.")
    private List<String> publish = new ArrayList<>();

    /** The network the options ask for, checked; empty when they ask for none. */
    Optional<Network> network() {
        if (net == null && publish.isEmpty()) {
            return Optional.empty();
        }
        Network network = Network.parse(net == null ? "bridge" : net);
        for (String port : publish) {
            network = network.publish(PortMapping.parse(port));
        }
        return Optional.of(network);
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
    void configure(ContainerSpec.Builder builder, UnaryOperator<String> containerIds) {
        network().map(network -> network.mode() != Network.Mode.CONTAINER ? network
                : new Network(Network.Mode.CONTAINER, containerIds.apply(network.target()), network.ports()))
                .ifPresent(builder::with);
    }
}
