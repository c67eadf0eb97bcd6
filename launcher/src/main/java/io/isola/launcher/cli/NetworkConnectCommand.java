package io.isola.launcher.cli;

import io.isola.api.NameResolution;
import io.isola.api.NetworkAddress;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isola network connect [--alias A] [--ip IP] NETWORK CONTAINER}: a running container gets
 * an interface on one more network (the next {@code ethN}), its name and aliases go into that
 * network's members' /etc/hosts, and theirs into its own. As Docker's, the connection is the
 * container's ({@link KeptConnections}): a stopped or created container joins the network when it
 * starts, and every later start joins it again. Thin: the network plugin does the work.
 */
@Command(
        name = "connect",
        description = {
            "Connect a container to a network: a new interface (eth1, eth2, ...) on it, and the container's",
            "name and --alias in the /etc/hosts of the network's containers, theirs in its own. A stopped or",
            "created container joins it when it starts; the connection lasts, across its starts, until network disconnect."
        })
final class NetworkConnectCommand implements Callable<Integer> {

    @ParentCommand
    private NetworkCommand network;

    @Parameters(index = "0", paramLabel = "NETWORK")
    private String networkName;

    @Parameters(index = "1", paramLabel = "CONTAINER")
    private String container;

    @Option(names = "--alias", paramLabel = "NAME", description = "A name the network's containers find it by too.")
    private List<String> aliases = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "IP", description = "Its IPv4 address on the network (in its subnet).")
    private String ip;

    @Option(
            names = {"--ip6", "--link", "--link-local-ip", "--driver-opt"},
            paramLabel = "VALUE",
            hidden = true)
    private List<String> unsupported = new ArrayList<>();

    @Override
    public Integer call() {
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("network connect --ip6, --link, --link-local-ip and --driver-opt are"
                    + " not supported by isola; expected --alias or --ip");
        }
        for (String alias : aliases) {
            if (!NameResolution.validName(alias)) {
                throw new IllegalArgumentException("--alias \"" + alias
                        + "\": expected letters, digits, '_', '.' or '-', starting with a letter or digit");
            }
        }
        String address = ip == null ? null : new NetworkAddress(ip).ipv4();
        StateStore store = network.containers();
        ContainerState state = ConnectTarget.existing(store, container);
        network.admin(admin -> {
            String name = ConnectTarget.network(admin, networkName);
            KeptConnections.Kept connection = new KeptConnections.Kept(name, aliases, address);
            if (ConnectTarget.isRunning(state)) {
                admin.connect(name, state.id(), connection.names(state.name()), address);
            } else {
                ConnectTarget.requireJoinable(state, name, KeptConnections.has(store, state.id(), name));
            }
            KeptConnections.add(store, state.id(), connection);
            return null;
        });
        return 0;
    }
}
