package io.isola.ns.net;

import io.isola.api.ContainerSpec;
import io.isola.api.Network;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import java.nio.file.Path;

/**
 * A host JVM killed between a container's prepare and its clone: prepares the network isolation
 * of one --net none container, says so, and waits for its SIGKILL. Arguments: runtime dir, config dir, id.
 */
public final class PreparedHostMain {

    public static void main(String[] args) throws Exception {
        NetIsolator isolator = new NetIsolator(
                new NetIsolator.Settings("isotnone", "none", "/usr/lib/cni", Path.of(args[1]), Path.of(args[0]), ""));
        ContainerSpec spec =
                ContainerSpec.builder("true").with(Network.parse("none")).build();
        isolator.prepare(new IsolationRequest() {
            @Override
            public String containerId() {
                return args[2];
            }

            @Override
            public ContainerSpec spec() {
                return spec;
            }

            @Override
            public boolean selected(Namespace namespace) {
                return namespace == Namespace.NET;
            }
        });
        System.out.println("prepared");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
