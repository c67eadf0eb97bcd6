package io.isola.launcher.cli;

import io.isola.launcher.cli.run.RunCommand;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.StateStore;
import io.isola.spi.support.NetworkAdmin;
import io.isola.spi.support.NetworkInfo;
import java.util.List;
import java.util.Objects;

/**
 * The network and the running container that {@code network connect|disconnect} name, each by
 * name or id prefix; an unknown one is refused with the nearest names, as an unknown verb is.
 */
final class ConnectTarget {

    private ConnectTarget() {}

    /** The container {@code reference} names (name, id or id prefix), in any state. */
    static ContainerState existing(StateStore store, String reference) {
        Lifecycle lifecycle = new Lifecycle(store);
        try {
            return lifecycle.get(reference);
        } catch (StateStore.NoSuchContainerException e) {
            List<String> names = lifecycle.list().stream()
                    .map(ContainerState::name)
                    .filter(Objects::nonNull)
                    .toList();
            throw new IllegalArgumentException(e.getMessage() + suggestion(reference, names), e);
        }
    }

    static boolean isRunning(ContainerState state) {
        return state.status() == ContainerState.Status.RUNNING && Lifecycle.isLive(state);
    }

    /**
     * Refuses, with Docker's words, to connect a container that is not running to {@code network}
     * when its run's --network could never take another (none, host, container:) or is that network
     * already, or when it keeps a connection to it ({@code kept}). Its start refuses what only the
     * configured default network decides.
     */
    static void requireJoinable(ContainerState state, String network, boolean kept) {
        String shown = state.name() == null ? state.id() : state.name();
        String mode = state.isola() == null || state.isola().relaunch() == null
                ? null
                : RunCommand.networkMode(state.isola().relaunch().runArgs());
        if ("host".equals(mode)) {
            throw new IllegalArgumentException(
                    "container " + shown
                            + " has --network host: container cannot be disconnected from host network or connected to host network");
        }
        if ("none".equals(mode)) {
            throw new IllegalArgumentException("container " + shown + " has --network none: container cannot be"
                    + " connected to multiple networks with one of the networks in private (none) mode");
        }
        if (mode != null && mode.startsWith("container:")) {
            throw new IllegalArgumentException("container " + shown + " shares the network of "
                    + mode.substring("container:".length()) + ": container sharing network namespace with another"
                    + " container or host cannot be connected to any other network");
        }
        if (kept || network.equals(mode)) {
            throw new IllegalArgumentException("endpoint with name " + shown + " already exists in network " + network);
        }
    }

    /** The network's name, from its name or an id prefix of 3 digits or more ({@code bridge} is the default one). */
    static String network(NetworkAdmin admin, String reference) {
        if (reference.equals("bridge") || admin.find(reference).isPresent()) {
            return reference;
        }
        List<NetworkInfo> all = admin.list();
        return all.stream()
                .filter(n -> reference.length() >= 3 && n.id().startsWith(reference))
                .map(NetworkInfo::name)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("network " + reference + " not found"
                        + suggestion(
                                reference, all.stream().map(NetworkInfo::name).toList())));
    }

    private static String suggestion(String typed, List<String> known) {
        List<String> nearest = NearestName.of(typed, known);
        return nearest.isEmpty() ? "" : "; did you mean " + String.join(" or ", nearest) + "?";
    }
}
