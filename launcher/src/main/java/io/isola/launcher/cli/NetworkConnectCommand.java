package io.isola.launcher.cli;

import io.isola.api.NameResolution;
import io.isola.api.NetworkAddress;
import io.isola.lifecycle.ContainerState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isola network connect [--alias A] [--ip IP] NETWORK CONTAINER}: a running container gets
 * an interface on one more network (the next {@code ethN}), its name and aliases go into that
 * network's members' /etc/hosts, and theirs into its own. Thin: the network plugin does it.
 */
@Command(
        name = "connect",
        description = {
            "Connect a running container to a network: a new interface (eth1, eth2, ...) on it, and",
            "the container's name and --alias in the /etc/hosts of the network's containers, theirs in its own.",
            "It lasts until the container stops or network disconnect; isola connects running containers only."
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
        ContainerState state = ConnectTarget.running(network.containers(), container, "connect");
        Set<String> names = new LinkedHashSet<>();
        if (state.name() != null) {
            names.add(state.name());
        }
        names.addAll(aliases);
        NetworkCommand.withAdmin(admin ->
                admin.connect(ConnectTarget.network(admin, networkName), state.id(), List.copyOf(names), address));
        return 0;
    }
}
