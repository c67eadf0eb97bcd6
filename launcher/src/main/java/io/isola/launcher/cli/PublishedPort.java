package io.isola.launcher.cli;

import io.isola.api.PortMapping;
import io.isola.lifecycle.ContainerState;
import java.util.List;

/**
 * A port a container publishes, as Docker shows it: {@code 80/tcp} inside, {@code 0.0.0.0:8080}
 * on the host (every host address) or {@code 192.0.2.1:8080}, read from the container's saved spec.
 */
record PublishedPort(int hostPort, int containerPort, String protocol, String hostIp) {

    static List<PublishedPort> of(ContainerState state) {
        if (state.isola() == null
                || state.isola().spec() == null
                || state.isola().spec().ports() == null) {
            return List.of();
        }
        return state.isola().spec().ports().stream().map(PublishedPort::parse).toList();
    }

    /** {@code [HOSTIP:]HOSTPORT:CONTAINERPORT/PROTO}, as the saved spec holds it. */
    private static PublishedPort parse(String saved) {
        PortMapping port = PortMapping.parse(saved);
        return new PublishedPort(port.hostPort(), port.containerPort(), port.protocol(), port.hostIp());
    }

    String containerSide() {
        return containerPort + "/" + protocol;
    }

    String hostSide() {
        return (hostIp == null ? "0.0.0.0" : hostIp) + ":" + hostPort;
    }

    /** As Docker's ps shows it: {@code 0.0.0.0:8080->80/tcp}. */
    @Override
    public String toString() {
        return hostSide() + "->" + containerSide();
    }
}
