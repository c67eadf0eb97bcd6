package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isola network disconnect [-f] NETWORK CONTAINER}: removes the interface that network
 * connect added, and the container's names from the network's members' /etc/hosts (theirs from its own).
 */
@Command(
        name = "disconnect",
        description = {
            "Disconnect a running container from a network that network connect added; the network it",
            "started on stays until it stops."
        })
final class NetworkDisconnectCommand implements Callable<Integer> {

    @ParentCommand
    private NetworkCommand network;

    @Parameters(index = "0", paramLabel = "NETWORK")
    private String networkName;

    @Parameters(index = "1", paramLabel = "CONTAINER")
    private String container;

    @Option(
            names = {"-f", "--force"},
            description = "Accepted for Docker's scripts; a disconnect is always complete.")
    private boolean force;

    @Override
    public Integer call() {
        ContainerState state = ConnectTarget.running(network.containers(), container, "disconnect");
        NetworkCommand.withAdmin(admin -> {
            admin.disconnect(ConnectTarget.network(admin, networkName), state.id());
            return null;
        });
        return 0;
    }
}
