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
import org.junit.jupiter.api.Test;
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
    void badValuesAreRejectedWithTheValue() {
        assertEquals(
                "port mapping \"80\": expected HOSTPORT:CONTAINERPORT[/tcp|udp]",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "-p", "80", "true"))
                        .getMessage());
        assertEquals(
                "port protocol \"sctp\": expected tcp or udp",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "-p", "80:80/sctp", "true"))
                        .getMessage());
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--net", "none", "-p", "80:80", "true"))
                        .getMessage()
                        .startsWith("published ports [80:80/tcp]: only a bridge or named network can publish ports"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spec("run", "--net", "container:", "true"))
                .getMessage()
                .startsWith("container id \"\": expected"));
    }
}
