package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.StateStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isola network disconnect [-f] NETWORK CONTAINER}: ends a connection network connect made
 * ({@link KeptConnections}): a running container loses the interface and its names leave the
 * network's members' /etc/hosts (theirs its own); a stopped one no longer joins it when it starts.
 */
@Command(
        name = "disconnect",
        description = {
            "Disconnect a container from a network that network connect gave it: at once if it runs, and it",
            "joins it no more when it starts. The network it was run on stays until it stops."
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
        StateStore store = network.containers();
        ContainerState state = ConnectTarget.existing(store, container);
        network.admin(admin -> {
            String name;
            try {
                name = ConnectTarget.network(admin, networkName);
            } catch (IllegalArgumentException e) {
                // a network removed while a stopped container kept a connection to it: its start is
                // refused until the connection is ended, so ending it must not need the network
                if (KeptConnections.remove(store, state.id(), networkName)) {
                    return null;
                }
                throw e;
            }
            boolean kept = KeptConnections.remove(store, state.id(), name);
            if (ConnectTarget.isRunning(state)) {
                try {
                    admin.disconnect(name, state.id());
                } catch (IllegalArgumentException e) {
                    if (!kept) {
                        throw e;
                    } // kept but not joined in this run (its start could not): ended all the same
                }
            } else if (!kept) {
                throw new IllegalArgumentException("container " + state.id() + " is not connected to network " + name);
            }
            return null;
        });
        return 0;
    }
}
