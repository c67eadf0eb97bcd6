package io.isola.launcher.cli.run;

import java.util.Map;
import java.util.Set;

/**
 * The host ports the other containers of a state root publish.
 *
 * @param published every other container's, stopped ones' too (-P leaves them alone: a restart
 *     keeps its ports)
 * @param running a running container's, with its name (or id): -p refuses them
 */
record PortsInUse(Set<Integer> published, Map<Integer, String> running) {

    static final PortsInUse NONE = new PortsInUse(Set.of(), Map.of());
}
