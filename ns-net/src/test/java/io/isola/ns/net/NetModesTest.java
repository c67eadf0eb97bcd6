package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.api.Stdio;
import io.isola.testing.HostState;
import io.isola.testing.Outcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The network modes against the real kernel and the real CNI plugins. Traffic only ever goes to
 * loopback and to the test's own bridge and containers.
 */
class NetModesTest {

    static TestNetworks nets;
    static Isola isola;

    @BeforeAll
    static void setUp() throws Exception {
        nets = new TestNetworks("modes");
        isola = nets.runtime(nets.isolator());
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (isola != null) {
            isola.close();
        }
        if (nets != null) {
            nets.destroy();
        }
    }

    private static Outcome sh(Network network, String script) throws Exception {
        return Outcome.of(
                isola, ContainerSpec.builder("sh", "-c", script).with(network).build());
    }

    /** A running container that printed "ready" after its first lines; returns them. */
    private static Container startUntilReady(Network network, String script, List<String> before) throws Exception {
        Container c = isola.start(ContainerSpec.builder("sh", "-c", script)
                .with(network)
                .stdout(Stdio.PIPE)
                .build());
        BufferedReader out = new BufferedReader(new InputStreamReader(c.stdout(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null && !line.equals("ready"); line = out.readLine()) {
            before.add(line);
        }
        return c;
    }

    private static String ipv4Of(String ipAddrLine) {
        return ipAddrLine.replaceAll(".*inet ([0-9.]+)/.*", "$1");
    }

    @Test
    void noneHasOnlyLoopbackUpAndPingsItAndReachesNothingElse() throws Exception {
        Outcome outcome = sh(
                Network.none(),
                "ip -o link show; busybox ping -c 1 -W 2 127.0.0.1 >/dev/null && echo pong;"
                        + " ip -4 route show; ip route get 10.231.0.1 2>&1 || echo unreachable");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertTrue(lines.get(0).startsWith("1: lo: <LOOPBACK,UP,LOWER_UP>"), lines.get(0));
        assertEquals(
                List.of("pong", "RTNETLINK answers: Network is unreachable", "unreachable"),
                lines.subList(1, lines.size()),
                outcome.out());
    }

    @Test
    void twoBridgeContainersTalkOverTcpWithDistinctAddresses() throws Exception {
        List<String> first = new ArrayList<>();
        try (Container server = startUntilReady(
                Network.bridge(),
                "ip -o -4 addr show dev eth0; echo ready; echo hello-from-server | busybox nc -l -p 7777",
                first)) {
            String serverIp = ipv4Of(first.get(0));
            Outcome client = sh(
                    Network.bridge(),
                    "ip -o -4 addr show dev eth0; m=$(mktemp); echo hello-from-client > $m; i=0; while [ $i -lt 50 ]; do"
                            + " busybox nc -w 2 " + serverIp
                            + " 7777 < $m && break; i=$((i+1)); sleep 0.1; done; rm $m");
            String serverSaw = new String(server.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, server.waitFor(Duration.ofSeconds(10)).orElseThrow().exitCode());

            String clientIp = ipv4Of(client.out().lines().findFirst().orElseThrow());
            assertTrue(client.out().contains("hello-from-server"), client.out() + client.err());
            assertTrue(serverSaw.contains("hello-from-client"), serverSaw);
            assertNotEquals(serverIp, clientIp);
            Ipv4Net subnet = Ipv4Net.parse(nets.subnet).orElseThrow();
            for (String ip : List.of(serverIp, clientIp)) {
                assertTrue(
                        new Ipv4Net(Ipv4Net.parse(ip + "/32").orElseThrow().address(), subnet.prefix()).equals(subnet),
                        ip + " is not in " + subnet);
            }
        }
    }

    @Test
    void aPublishedPortAnswersOnTheBridgeAddressAndOnLoopback() throws Exception {
        int hostPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            hostPort = probe.getLocalPort();
        }
        String gateway = Ipv4Net.parse(nets.subnet).orElseThrow().host(1);
        Network published = Network.bridge().publish(new PortMapping(hostPort, 7778, "tcp"));
        try (Container server = startUntilReady(
                published, "echo ready; exec busybox nc -ll -p 7778 -e echo published-answer", new ArrayList<>())) {
            assertEquals("published-answer", readFrom(gateway, hostPort));
            assertEquals("published-answer", readFrom("127.0.0.1", hostPort));
        }
    }

    /** The first line served at address:port, retried while the container's listener starts. */
    private static String readFrom(String address, int port) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 1000);
                socket.setSoTimeout(3000);
                String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                if (line != null) {
                    return line;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing answered on " + address + ":" + port, last);
    }

    @Test
    void hostSeesTheHostsInterfaces() throws Exception {
        Outcome outcome = sh(Network.host(), "readlink /proc/self/ns/net; ip -o link show");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertEquals(HostState.namespaceOf("net"), lines.get(0));
        TreeSet<String> seen = new TreeSet<>();
        lines.subList(1, lines.size()).forEach(l -> seen.add(l.split(":\\s+")[1].replaceAll("@.*", "")));
        assertTrue(
                seen.containsAll(HostNet.links())
                        && seen.size() >= HostNet.links().size() - 2,
                seen + " vs " + HostNet.links());
    }

    @Test
    void containerModeSharesTheOtherContainersNamespaceAndAddresses() throws Exception {
        List<String> first = new ArrayList<>();
        try (Container a =
                startUntilReady(Network.bridge(), "ip -o -4 addr show dev eth0; echo ready; exec sleep 30", first)) {
            Outcome b = sh(
                    Network.parse("container:" + a.id()),
                    "readlink /proc/self/ns/net; ip -o -4 addr show dev eth0; cat /etc/hosts");

            assertEquals(0, b.status().exitCode(), b.err());
            List<String> lines = b.out().lines().toList();
            assertEquals(
                    Files.readSymbolicLink(Path.of("/proc", Long.toString(a.pid()), "ns", "net"))
                            .toString(),
                    lines.get(0));
            assertEquals(ipv4Of(first.get(0)), ipv4Of(lines.get(1)));
            assertTrue(b.out().contains(ipv4Of(first.get(0))), b.out());
        }
    }
}
