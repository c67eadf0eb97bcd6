package io.isola.ns.net;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.spi.Namespace;
import io.isola.testing.TestIsolator;
import java.nio.file.Path;
import java.util.List;

/**
 * A host JVM for the crash test: starts one bridge container with a published port, prints its
 * pid, and waits to be killed with SIGKILL. Arguments: config dir, runtime dir, subnet, host port, network name.
 */
public final class NetHostMain {

    public static void main(String[] args) throws Exception {
        NetIsolator.Settings settings = new NetIsolator.Settings(
                args[4], "bridge", "/usr/lib/cni", Path.of(args[0]), Path.of(args[1]), args[2]);
        Isola isola = Isola.builder()
                .isolators(List.of(new NetIsolator(settings), TestIsolator.plain("mount", Namespace.MOUNT)))
                .build();
        Network network = Network.bridge().publish(new PortMapping(Integer.parseInt(args[3]), 80, "tcp"));
        Container container =
                isola.start(ContainerSpec.builder("sleep", "600").with(network).build());
        System.out.println("started " + container.pid());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
