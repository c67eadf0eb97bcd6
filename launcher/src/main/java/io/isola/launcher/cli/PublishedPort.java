package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import java.util.List;

/**
 * A port a container publishes, as Docker shows it: {@code 80/tcp} inside, {@code 0.0.0.0:8080}
 * on the host (isola publishes on every host address), read from the container's saved spec.
 */
record PublishedPort(int hostPort, int containerPort, String protocol) {

    static List<PublishedPort> of(ContainerState state) {
        if (state.isola() == null
                || state.isola().spec() == null
                || state.isola().spec().ports() == null) {
            return List.of();
        }
        return state.isola().spec().ports().stream().map(PublishedPort::parse).toList();
    }

    /** {@code HOSTPORT:CONTAINERPORT/PROTO}, as the saved spec holds it. */
    private static PublishedPort parse(String saved) {
        int colon = saved.indexOf(':'), slash = saved.indexOf('/');
        return new PublishedPort(
                Integer.parseInt(saved.substring(0, colon)),
                Integer.parseInt(saved.substring(colon + 1, slash)),
                saved.substring(slash + 1));
    }

    String containerSide() {
        return containerPort + "/" + protocol;
    }

    String hostSide() {
        return "0.0.0.0:" + hostPort;
    }

    /** As Docker's ps shows it: {@code 0.0.0.0:8080->80/tcp}. */
    @Override
    public String toString() {
        return hostSide() + "->" + containerSide();
    }
}
