package io.isola.launcher.cli;

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

    /** The container, which must be running: isola connects no stopped container (Docker records it for its next start). */
    static ContainerState running(StateStore store, String reference, String verb) {
        Lifecycle lifecycle = new Lifecycle(store);
        ContainerState state;
        try {
            state = lifecycle.get(reference);
        } catch (StateStore.NoSuchContainerException e) {
            List<String> names = lifecycle.list().stream()
                    .map(ContainerState::name)
                    .filter(Objects::nonNull)
                    .toList();
            throw new IllegalArgumentException(e.getMessage() + suggestion(reference, names), e);
        }
        if (state.status() != ContainerState.Status.RUNNING || !Lifecycle.isLive(state)) {
            throw new IllegalArgumentException("container " + reference + " is not running: isola " + verb
                    + "s running containers only (a stopped container joins a network when it starts: isola run"
                    + " --network NAME)");
        }
        return state;
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
