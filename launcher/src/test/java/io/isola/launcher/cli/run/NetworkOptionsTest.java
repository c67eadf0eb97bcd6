package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.launcher.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** How --net and -p become the spec's Network; nothing is started. */
class NetworkOptionsTest {

    private static ContainerSpec spec(String... args) {
        StringWriter sink = new StringWriter();
        ParseResult parsed =
                Main.commandLine(new PrintWriter(sink), new PrintWriter(sink)).parseArgs(args);
        return ((RunCommand) parsed.subcommand().commandSpec().userObject()).spec();
    }

    /** Issue 23: the net isolator is a default one; its configured mode (none, as shipped) decides the network. */
    @Test
    void withoutOptionsTheContainerGetsTheConfiguredNetworkNotTheHosts() {
        ContainerSpec spec = spec("run", "true");
        assertTrue(spec.isolators().orElseThrow().contains("net"));
        assertTrue(spec.extension(Network.class).isEmpty());
    }

    @Test
    void netSelectsTheIsolatorAndTheMode() {
        ContainerSpec none = spec("run", "--net", "none", "true");
        assertTrue(none.isolators().orElseThrow().contains("net"));
        assertEquals(Network.none(), none.extension(Network.class).orElseThrow());
        assertEquals(
                Network.parse("container:web"),
                spec("run", "--net", "container:web", "true")
                        .extension(Network.class)
                        .orElseThrow());
        assertFalse(
                spec("run", "--net", "host", "true").isolators().orElseThrow().contains("net"));
    }

    /** Docker's spelling: --network with each of --net's values. */
    @Test
    void networkIsDockersSpellingOfNet() {
        for (String mode : List.of("none", "host", "bridge", "container:web", "mynet")) {
            assertEquals(
                    spec("run", "--net", mode, "true").extension(Network.class),
                    spec("run", "--network", mode, "true").extension(Network.class),
                    mode);
            assertEquals(List.of("true"), spec("run", "--network", mode, "true").command());
        }
        assertEquals(
                Network.none(),
                spec("run", "--network=none", "true").extension(Network.class).orElseThrow());
    }

    @Test
    void publishImpliesTheBridge() {
        Network network = spec("run", "-p", "8080:80", "-p", "5353:53/udp", "true")
                .extension(Network.class)
                .orElseThrow();
        assertEquals(Network.Mode.BRIDGE, network.mode());
        assertEquals(List.of(new PortMapping(8080, 80, "tcp"), new PortMapping(5353, 53, "udp")), network.ports());
    }

    @Test
    void publishTakesDockersForms() {
        List<PortMapping> ports = spec(
                        "run",
                        "-p",
                        "0.0.0.0:8080:80",
                        "-p",
                        "8000-8001:80-81/udp",
                        "-p",
                        "9090",
                        "-p",
                        "127.0.0.1:8090:81",
                        "true")
                .extension(Network.class)
                .orElseThrow()
                .ports();
        assertEquals(
                List.of(
                        new PortMapping(8080, 80, "tcp"),
                        new PortMapping(8000, 80, "udp"),
                        new PortMapping(8001, 81, "udp"),
                        new PortMapping(8090, 81, "tcp", "127.0.0.1")),
                ports.subList(0, 4));
        assertEquals("127.0.0.1:8090:81/tcp", ports.get(3).toString(), "as the saved spec keeps it");
        assertEquals(ports.get(3), PortMapping.parse(ports.get(3).toString()));
        assertEquals(5, ports.size(), ports::toString);
        PortMapping free = ports.get(4);
        assertEquals(9090, free.containerPort());
        assertEquals("tcp", free.protocol());
        assertFalse(List.of(8080, 8000, 8001).contains(free.hostPort()), ports::toString);
    }

    @Test
    void aHostPortThatARunningContainerPublishesIsRefusedNamingIt() {
        NetworkOptions options = new NetworkOptions();
        new CommandLine(options).parseArgs("-p", "8080:80", "-p", "9000:90");
        PortsInUse inUse = new PortsInUse(Set.of(8080, 9000), Map.of(9000, "web"));
        IllegalArgumentException refused = assertThrows(
                IllegalArgumentException.class,
                () -> options.configure(ContainerSpec.builder("true"), id -> id, List::of, null, () -> inUse));
        assertEquals(
                "-p 9000:90/tcp: host port 9000 is already published by running container web; choose another host"
                        + " port or stop that container",
                refused.getMessage());
    }

    @Test
    void badValuesAreRejectedWithTheValue() {
        assertEquals(
                "-p \"192.0.2.254:8080:80\": 192.0.2.254 is not an address of this host; expected one of its"
                        + " addresses (ip -4 addr) or 0.0.0.0",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "-p", "192.0.2.254:8080:80", "true"))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("run", "-p", "[fe80::1]:8080:80", "true"))
                .getMessage()
                .startsWith("-p \"[fe80::1]:8080:80\": host address \"fe80::1\": expected an IPv4 address"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("run", "-p", "127.0.0.1::80", "true"))
                .getMessage()
                .startsWith("-p \"127.0.0.1::80\": a free host port on one address (IP::PORT) is not supported"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> spec("run", "-p", "8080:80", "-p", "127.0.0.1:8080:81", "true"))
                .getMessage()
                .startsWith("host port 8080/tcp is published twice (8080:80/tcp and 127.0.0.1:8080:81/tcp)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("run", "-p", "80:80/sctp", "true"))
                .getMessage()
                .startsWith("-p \"80:80/sctp\": protocol \"sctp\" is not one of tcp and udp"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("run", "-p", "8000-8002:80-81", "true"))
                .getMessage()
                .startsWith("-p \"8000-8002:80-81\": the host range 8000-8002 and the container range 80-81 differ"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("run", "-p", "1:2:3:4", "true"))
                .getMessage()
                .startsWith("-p \"1:2:3:4\": too many fields"));
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--net", "none", "-p", "80:80", "true"))
                        .getMessage()
                        .startsWith("published ports [80:80/tcp]: only a bridge or named network can publish ports"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("run", "--net", "container:", "true"))
                .getMessage()
                .startsWith("container id \"\": expected"));
    }
}
