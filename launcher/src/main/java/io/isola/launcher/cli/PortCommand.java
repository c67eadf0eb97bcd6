package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola port CONTAINER [PRIVATE_PORT[/PROTO]]}, as Docker's: the container's published
 * ports as {@code 80/tcp -> 0.0.0.0:8080} (every host address, Docker's default) or
 * {@code 80/tcp -> 192.0.2.1:8080}, or the host addresses of one of them.
 */
@Command(name = "port", description = "List a container's published ports, or the host address of one of them.")
final class PortCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    private String container;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PRIVATE_PORT[/PROTO]")
    private String privatePort;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        ContainerState state = new Lifecycle(parent.global().store()).get(container);
        List<PublishedPort> ports = PublishedPort.of(state);
        PrintWriter out = spec.commandLine().getOut();
        if (privatePort == null) {
            ports.forEach(port -> out.println(port.containerSide() + " -> " + port.hostSide()));
            out.flush();
            return 0;
        }
        String wanted = privatePort.contains("/") ? privatePort : privatePort + "/tcp";
        if (!wanted.matches("\\d{1,5}/(tcp|udp)")) {
            throw new IllegalArgumentException("port \"" + privatePort + "\": expected PORT or PORT/tcp or PORT/udp");
        }
        List<PublishedPort> matching =
                ports.stream().filter(p -> p.containerSide().equals(wanted)).toList();
        if (matching.isEmpty()) {
            throw new IsolaException("no public port '" + wanted + "' published for " + state.id());
        }
        matching.forEach(port -> out.println(port.hostSide()));
        out.flush();
        return 0;
    }
}
