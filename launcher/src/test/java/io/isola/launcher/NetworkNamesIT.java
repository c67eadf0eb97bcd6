package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.launcher.image.ImageArchives;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, networks and names: {@code isola network create|ls|inspect|rm}, containers of a
 * user-defined network reaching each other by name and alias, {@code --dns}/{@code --add-host}
 * in the container's files, {@code -P} with the image's ExposedPorts and {@code --expose}.
 * Everything is the test's own: its configuration (default network, subnets, conflist and
 * runtime directories), state root and image store; traffic only between its containers.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NetworkNamesIT {

    private static final String IMAGE = "test/netnames:1";
    private static final long PID = ProcessHandle.current().pid();

    private static final String DEFAULT_NETWORK = "isonamesd" + PID % 10000;

    /** The class's configuration (default network, subnets, conflist and runtime directories): its tests' own. */
    @TempDir
    static Path shared;

    private static Path conf;
    /**
     * One framework for the class's commands, lent to each as the resident server lends its own
     * (IsolaRuntime.makeResident): in-process, every run and network verb booted one of its own.
     */
    private static IsolaRuntime runtime;

    @TempDir
    Path tmp;

    private InProcessCli cli;
    private Path out;
    private final String network = "isonames" + PID % 100000;
    /** A network removed while a container keeps a connection to it. */
    private final String goneNetwork = "isogone" + PID % 100000;

    private final String defaultNetwork = DEFAULT_NETWORK;

    @BeforeAll
    static void configure() throws Exception {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/lib/cni/bridge")),
                "the CNI plugins are not installed (apt-get install containernetworking-plugins)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables")), "iptables is not installed");
        conf = Files.createDirectory(shared.resolve("conf"));
        Files.writeString(conf.resolve("isola.properties"), "plugins =\n");
        Files.writeString(
                conf.resolve("io.isola.ns.net.cfg"),
                "network = " + DEFAULT_NETWORK + "\nsubnet = 10.237."
                        + (PID % 200 + 20) + ".0/24\ncniPath = /usr/lib/cni\nconfigDir = " + shared.resolve("net.d")
                        + "\nruntimeDir = " + shared.resolve("netrun") + "\n");
        runtime = IsolaRuntime.withBundles(Layout.bundles())
                .config(conf)
                .pollFromSettings()
                .start();
        IsolaRuntime.makeResident(runtime);
    }

    @AfterAll
    static void stopRuntime() {
        IsolaRuntime.makeResident(null);
        if (runtime != null) {
            runtime.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        cli = new InProcessCli(tmp);
        out = Files.createDirectory(tmp.resolve("out"));
        isola(
                "image",
                "import",
                ImageArchives.dockerSaveExposing(tmp.resolve("image.tar"), IMAGE, List.of("8080/tcp"))
                        .toString());
    }

    @AfterEach
    void tearDown() throws Exception {
        cli.close();
        cli.isola("--config", conf.toString(), "network", "rm", "-f", network, goneNetwork);
        // the default network's bridge outlives its containers, as isola0 does: the test's own goes
        String bridge = defaultNetwork.substring(0, Math.min(14, defaultNetwork.length())) + "0";
        if (Files.exists(Path.of("/sys/class/net", bridge))) {
            new ProcessBuilder("ip", "link", "delete", bridge)
                    .inheritIO()
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String isola(String... args) {
        String[] all = Stream.concat(Stream.of("--config", conf.toString()), Stream.of(args))
                .toArray(String[]::new);
        return cli.ok(all);
    }

    private void fails(String expected, String... args) {
        cli.fails(
                expected,
                Stream.concat(Stream.of("--config", conf.toString()), Stream.of(args))
                        .toArray(String[]::new));
    }

    @Test
    void containersOnANewNetworkFindEachOtherByNameAndAliasAndTheNetworkGoesWhenUnused() throws Exception {
        String subnet = "10.238." + (PID % 200 + 20);
        String id = isola("network", "create", "--subnet", subnet + ".0/24", "--label", "team=a", network)
                .strip();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertEquals(
                network + " bridge team=a\n",
                isola("network", "ls", "--filter", "name=" + network, "--format", "{{.Name}} {{.Driver}} {{.Labels}}"));
        assertTrue(isola("network", "ls", "-q").lines().anyMatch(id.substring(0, 12)::equals), cli.lastOut());
        fails("network with name " + network + " already exists", "network", "create", network);
        fails(
                "--subnet " + subnet + ".128/25: overlaps " + subnet + ".0/24",
                "network",
                "create",
                "--subnet",
                subnet + ".128/25",
                network + "b");

        String web = "web" + PID;
        // the server also tries to pass a name of its choosing to its peers through its own hosts file
        isola(
                "run",
                "-d",
                "--name",
                web,
                "--network",
                network,
                "--network-alias",
                "www",
                "--ip",
                subnet + ".50",
                "-v",
                out + ":/out",
                IMAGE,
                "sh",
                "-c",
                "echo '192.0.2.66 evil' >> /etc/hosts; mkdir /w && echo hello-by-name > /w/index.html && exec busybox httpd -f -p 80 -h /w");
        isola(
                "run",
                "--rm",
                "--network",
                network,
                "-v",
                out + ":/out",
                IMAGE,
                "sh",
                "-c",
                "cat /etc/hosts > /out/hosts; i=0; until busybox wget -q -O /out/byname http://" + web
                        + "/; do i=$((i+1));"
                        + " [ $i -lt 50 ] || exit 1; busybox sleep 0.1; done; busybox wget -q -O /out/byalias http://www/");
        assertEquals("hello-by-name\n", Files.readString(out.resolve("byname")));
        assertEquals("hello-by-name\n", Files.readString(out.resolve("byalias")));
        assertTrue(
                Files.readString(out.resolve("hosts"))
                        .lines()
                        .anyMatch(line ->
                                line.matches(subnet.replace(".", "\\.") + "\\.50\t" + web + " www [0-9a-f]{12}")),
                Files.readString(out.resolve("hosts"))); // at its --ip

        assertFalse(Files.readString(out.resolve("hosts")).contains("evil"), Files.readString(out.resolve("hosts")));
        // the client is gone: its line has left the server's file, rewritten from what the host holds
        isola("exec", web, "sh", "-c", "cat /etc/hosts > /out/webhosts");
        List<String> webHosts = Files.readAllLines(out.resolve("webhosts"));
        assertEquals(
                1,
                webHosts.stream().filter(line -> line.startsWith(subnet + ".")).count(),
                webHosts::toString);

        JsonNode inspected = new ObjectMapper()
                .readTree(isola("network", "inspect", network))
                .get(0);
        assertEquals(id, inspected.get("Id").asText());
        assertEquals("bridge", inspected.get("Driver").asText());
        JsonNode member = inspected.get("Containers").elements().next();
        assertEquals(web, member.get("Name").asText(), inspected.toString());
        assertEquals(subnet + ".50/24", member.get("IPv4Address").asText(), inspected.toString());
        assertEquals(
                subnet + ".0/24 " + subnet + ".1\n",
                isola("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", network));
        String bridge =
                inspected.get("Options").get("com.docker.network.bridge.name").asText();

        fails("network " + network + " is in use by container " + web, "network", "rm", network);
        isola("rm", "-f", web);
        assertEquals(network + "\n", isola("network", "rm", network));
        assertFalse(Files.exists(Path.of("/sys/class/net", bridge)), "bridge " + bridge + " is left");
        assertFalse(Files.exists(shared.resolve("net.d").resolve(network + ".conflist")), "its conflist is left");
        assertFalse(Files.exists(shared.resolve("netrun/ipam").resolve(network)), "its leases are left");
        try (Stream<Path> left = Files.list(shared.resolve("netrun/containers"))) {
            assertEquals(List.of(), left.toList(), "network state is left");
        }
        fails("network " + network + " not found", "network", "inspect", network);
    }

    @Test
    void aRunningContainerConnectsToANetworkFindsItsPeersByNameAndLeavesNothingWhenDisconnectedOrRemoved()
            throws Exception {
        String subnet = "10.236." + (PID % 200 + 20);
        isola("network", "create", "--subnet", subnet + ".0/24", network);
        String first = "first" + PID, second = "second" + PID;
        isola("run", "-d", "--name", first, "--network", network, "-v", out + ":/out", IMAGE, "sleep", "1000");
        // on the default network (which resolves no names) until it is connected
        isola("run", "-d", "--name", second, "--net", "bridge", "-v", out + ":/out", IMAGE, "sleep", "1000");
        isola("run", "-d", "--name", "none" + PID, "--net", "none", IMAGE, "sleep", "1000");
        fails("network nosuch" + PID + " not found", "network", "connect", "nosuch" + PID, second);
        fails("no such container: nosuch" + PID, "network", "connect", network, "nosuch" + PID);
        fails(
                "cannot be connected to multiple networks with one of the networks in private (none) mode",
                "network",
                "connect",
                network,
                "none" + PID);
        fails(
                "endpoint with name " + first + " already exists in network " + network,
                "network",
                "connect",
                network,
                first);

        isola("network", "connect", "--alias", "bee", network, second);
        fails(
                "endpoint with name " + second + " already exists in network " + network,
                "network",
                "connect",
                network,
                second);
        isola(
                "exec",
                second,
                "sh",
                "-c",
                "cat /proc/net/dev > /out/dev; cat /etc/hosts > /out/hosts; busybox ping -c 1 -W 5 " + first
                        + " > /out/ping");
        assertTrue(Files.readString(out.resolve("dev")).contains("eth1:"), Files.readString(out.resolve("dev")));
        assertTrue(
                Files.readString(out.resolve("ping")).contains("1 packets received"),
                Files.readString(out.resolve("ping")));
        assertTrue(
                Files.readString(out.resolve("hosts"))
                        .lines()
                        .anyMatch(l -> l.matches(subnet.replace(".", "\\.") + "\\.\\d+\t" + first + " [0-9a-f]{12}")),
                Files.readString(out.resolve("hosts")));
        // the first finds the second by its name and its alias on the network
        isola("exec", first, "sh", "-c", "busybox ping -c 1 -W 5 bee > /dev/null && cat /etc/hosts > /out/firsthosts");
        assertTrue(
                Files.readString(out.resolve("firsthosts"))
                        .lines()
                        .anyMatch(l ->
                                l.matches(subnet.replace(".", "\\.") + "\\.\\d+\t" + second + " bee [0-9a-f]{12}")),
                Files.readString(out.resolve("firsthosts")));

        JsonNode networks =
                new ObjectMapper().readTree(isola("inspect", "-f", "{{json .NetworkSettings.Networks}}", second));
        JsonNode joined = networks.path(network);
        assertTrue(joined.path("IPAddress").asText().startsWith(subnet + "."), networks::toString);
        assertEquals(subnet + ".1", joined.path("Gateway").asText(), networks::toString);
        assertEquals(24, joined.path("IPPrefixLen").asInt(), networks::toString);
        assertTrue(joined.path("MacAddress").asText().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), networks::toString);
        assertTrue(joined.path("Aliases").toString().contains("\"bee\""), networks::toString);
        assertEquals(
                isola("network", "inspect", "-f", "{{.Id}}", network).strip(),
                joined.path("NetworkID").asText(),
                networks::toString);
        assertEquals(2, networks.size(), networks::toString); // and the default network it started on
        assertTrue(networks.has("bridge"), networks::toString); // as Docker names its default network
        assertEquals("false false\n", isola("inspect", "-f", "{{.Config.Tty}} {{.Config.OpenStdin}}", second));

        isola("network", "disconnect", network, second);
        fails("is not connected to network " + network, "network", "disconnect", network, second);
        isola("exec", second, "sh", "-c", "cat /proc/net/dev > /out/dev; cat /etc/hosts > /out/hosts");
        assertFalse(Files.readString(out.resolve("dev")).contains("eth1:"), Files.readString(out.resolve("dev")));
        assertFalse(Files.readString(out.resolve("hosts")).contains(first), Files.readString(out.resolve("hosts")));
        isola("exec", first, "sh", "-c", "cat /etc/hosts > /out/firsthosts");
        assertFalse(
                Files.readString(out.resolve("firsthosts")).contains(second),
                Files.readString(out.resolve("firsthosts")));
        JsonNode afterDisconnect =
                new ObjectMapper().readTree(isola("inspect", "-f", "{{json .NetworkSettings.Networks}}", second));
        assertEquals(1, afterDisconnect.size(), afterDisconnect::toString); // the default network only

        // connected again: the connection is the container's, as Docker's, and comes back when it starts again
        isola("network", "connect", network, second);
        isola("stop", "-t", "0", second);
        isola("start", second);
        isola("exec", second, "sh", "-c", "cat /proc/net/dev > /out/dev");
        assertTrue(Files.readString(out.resolve("dev")).contains("eth1:"), Files.readString(out.resolve("dev")));

        // a created container connected before it starts joins the network when it does; one disconnected while
        // stopped starts without it
        String third = "third" + PID;
        isola("create", "--name", third, "--net", "bridge", "-v", out + ":/out", IMAGE, "sleep", "1000");
        isola("network", "connect", network, third);
        fails(
                "endpoint with name " + third + " already exists in network " + network,
                "network",
                "connect",
                network,
                third);
        isola("start", third);
        isola("exec", third, "sh", "-c", "busybox ping -c 1 -W 5 " + first + " > /out/thirdping");
        assertTrue(
                Files.readString(out.resolve("thirdping")).contains("1 packets received"),
                Files.readString(out.resolve("thirdping")));
        isola("stop", "-t", "0", third);
        isola("network", "disconnect", network, third);
        fails("is not connected to network " + network, "network", "disconnect", network, third);
        isola("start", third);
        isola("exec", third, "sh", "-c", "cat /proc/net/dev > /out/thirddev");
        assertFalse(
                Files.readString(out.resolve("thirddev")).contains("eth1:"), Files.readString(out.resolve("thirddev")));

        // removed: no veth on the network's bridge, no lease, no state is left
        String bridge = new ObjectMapper()
                .readTree(isola("network", "inspect", network))
                .get(0)
                .get("Options")
                .get("com.docker.network.bridge.name")
                .asText();
        isola("rm", "-f", second, first, "none" + PID, third);
        try (Stream<Path> ports = Files.list(Path.of("/sys/class/net", bridge, "brif"))) {
            assertEquals(List.of(), ports.toList(), "a veth is left on " + bridge);
        }
        try (Stream<Path> leases = Files.list(shared.resolve("netrun/ipam").resolve(network))) {
            assertEquals(
                    List.of(),
                    leases.map(p -> p.getFileName().toString())
                            .filter(name -> name.startsWith(subnet))
                            .toList(),
                    "a lease is left");
        }
        try (Stream<Path> left = Files.list(shared.resolve("netrun/containers"))) {
            assertEquals(List.of(), left.toList(), "network state is left");
        }
    }

    @Test
    void aStartThatCannotJoinAKeptNetworkIsRefusedAndLeavesNothingBehind() throws Exception {
        String subnet = "10.235." + (PID % 200 + 20);
        isola("network", "create", "--subnet", subnet + ".0/24", network);
        String gone = goneNetwork;
        isola("network", "create", "--subnet", "10.234." + (PID % 200 + 20) + ".0/24", gone);
        String fourth = "fourth" + PID;
        isola("create", "--name", fourth, "--net", "bridge", IMAGE, "sleep", "1000");
        String id = isola("inspect", "-f", "{{.Id}}", fourth).strip();
        // kept in this order: the start joins the first before it finds the second gone
        isola("network", "connect", network, fourth);
        isola("network", "connect", gone, fourth);
        isola("network", "rm", gone);

        fails(
                "cannot start container " + id + ": cannot join network " + gone
                        + ", which network connect gave it: network " + gone + " not found",
                "start",
                fourth);

        assertEquals("false\n", isola("inspect", "-f", "{{.State.Running}}", fourth));
        String bridge = new ObjectMapper()
                .readTree(isola("network", "inspect", network))
                .get(0)
                .get("Options")
                .get("com.docker.network.bridge.name")
                .asText();
        try (Stream<Path> ports = Files.list(Path.of("/sys/class/net", bridge, "brif"))) {
            assertEquals(List.of(), ports.toList(), "a veth is left on " + bridge);
        }
        try (Stream<Path> leases = Files.list(shared.resolve("netrun/ipam").resolve(network))) {
            assertEquals(
                    List.of(),
                    leases.map(p -> p.getFileName().toString())
                            .filter(name -> name.startsWith(subnet))
                            .toList(),
                    "a lease is left");
        }
        try (Stream<Path> left = Files.list(shared.resolve("netrun/containers"))) {
            assertEquals(List.of(), left.toList(), "network state is left");
        }

        // the connection to the removed network is ended as the message says, and the container starts
        isola("network", "disconnect", gone, fourth);
        isola("start", fourth);
        assertEquals("true\n", isola("inspect", "-f", "{{.State.Running}}", fourth));
        isola("rm", "-f", fourth);
    }

    @Test
    void dnsAddHostAndHostnameGoIntoTheContainersFilesAndBadValuesNever() throws Exception {
        isola(
                "run",
                "--rm",
                "--net",
                "none",
                "--hostname",
                "box",
                "--dns",
                "192.0.2.53",
                "--dns-search",
                "example.test",
                "--dns-option",
                "ndots:2",
                "--add-host",
                "db:192.0.2.7",
                "-v",
                out + ":/out",
                IMAGE,
                "sh",
                "-c",
                "cat /etc/resolv.conf > /out/resolv; cat /etc/hosts > /out/hosts");
        List<String> resolv = Files.readAllLines(out.resolve("resolv"));
        assertEquals(
                List.of("nameserver 192.0.2.53"),
                resolv.stream().filter(l -> l.startsWith("nameserver")).toList(),
                resolv::toString);
        assertTrue(resolv.contains("search example.test") && resolv.contains("options ndots:2"), resolv::toString);
        List<String> hosts = Files.readAllLines(out.resolve("hosts"));
        assertTrue(hosts.contains("192.0.2.7\tdb") && hosts.contains("127.0.1.1\tbox"), hosts::toString);

        // a space or a line break would let a value add entries of its choosing: refused before any file is written
        fails(
                "--add-host db address \"1.2.3.4 bank\": expected an IP address",
                "run",
                "--rm",
                "--net",
                "none",
                "--add-host",
                "db:1.2.3.4 bank",
                IMAGE,
                "true");
        assertEquals(
                125,
                cli.isola(
                        "--config",
                        conf.toString(),
                        "run",
                        "--rm",
                        "--net",
                        "none",
                        "--add-host",
                        "evil\nbank:1.2.3.4",
                        IMAGE,
                        "true"),
                cli::lastErr);
        fails(
                "--dns \"dns.example\": expected an IP address",
                "run",
                "--rm",
                "--net",
                "none",
                "--dns",
                "dns.example",
                IMAGE,
                "true");
        fails(
                "--network-alias www: only containers on a user-defined network",
                "run",
                "--rm",
                "--net",
                "none",
                "--network-alias",
                "www",
                IMAGE,
                "true");
        fails(
                "--ip 10.0.0.5: only on a user-defined network",
                "run",
                "--rm",
                "--net",
                "bridge",
                "--ip",
                "10.0.0.5",
                IMAGE,
                "true");
        fails(
                "host-gateway: the container's network has no gateway",
                "run",
                "--rm",
                "--net",
                "none",
                "--add-host",
                "gw:host-gateway",
                IMAGE,
                "true");
    }

    /**
     * {@code -p IP:HOSTPORT:PORT} on an address of a dummy (or veth) link of the test's own: the port is
     * reached there, not on 127.0.0.1, which has no such rule.
     */
    @Test
    void publishOnOneHostAddressIsReachedThereOnly() throws Exception {
        String link = "isopub" + PID % 100000;
        String address = "192.0.2." + (PID % 200 + 20); // TEST-NET-1: routed nowhere
        if (!ipSucceeds("link", "add", link, "type", "dummy")) {
            ip("link", "add", link, "type", "veth", "peer", "name", link + "p"); // a kernel without dummy links
        }
        try {
            ip("addr", "add", address + "/32", "dev", link);
            ip("link", "set", link, "up");
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            isola(
                    "run",
                    "-d",
                    "--name",
                    "onaddr" + PID,
                    "-p",
                    address + ":" + port + ":8080",
                    IMAGE,
                    "busybox",
                    "httpd",
                    "-f",
                    "-p",
                    "8080",
                    "-h",
                    "/etc");
            assertEquals("8080/tcp -> " + address + ":" + port + "\n", isola("port", "onaddr" + PID));
            assertTrue(
                    isola("ps", "--format", "{{.Ports}}").contains(address + ":" + port + "->8080/tcp"), cli.lastOut());
            String reply = null;
            for (int i = 0; i < 100 && reply == null; i++) { // until httpd listens
                reply = get(address, port);
            }
            assertTrue(reply != null && reply.startsWith("HTTP/1."), "no reply on " + address + ":" + port);
            assertEquals(null, get("127.0.0.1", port), "127.0.0.1 has no forwarding rule for the port");
        } finally {
            ip("link", "delete", link);
        }
    }

    /** The first line of httpd's reply to a GET on {@code address:port}; null when nothing answers within 100 ms. */
    private static String get(String address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 100);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /hostname HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        } catch (ConnectException | SocketTimeoutException e) {
            if (e instanceof ConnectException) {
                sleepBriefly(); // refused at once: a refused connect would spin the loop
            }
            return null;
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean ipSucceeds(String... args) throws Exception {
        Process ip = new ProcessBuilder(
                        Stream.concat(Stream.of("ip"), Stream.of(args)).toList())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return ip.waitFor(10, TimeUnit.SECONDS) && ip.exitValue() == 0;
    }

    private static void ip(String... args) throws Exception {
        Process ip = new ProcessBuilder(
                        Stream.concat(Stream.of("ip"), Stream.of(args)).toList())
                .redirectErrorStream(true)
                .start();
        String output = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(ip.waitFor(10, TimeUnit.SECONDS) && ip.exitValue() == 0, "ip " + List.of(args) + ": " + output);
    }

    @Test
    void publishAllPublishesTheImagesAndExposedPortsOnFreeHostPorts() throws Exception {
        isola("run", "-d", "--name", "pub" + PID, "-P", "--expose", "80", "--expose", "53/udp", IMAGE, "sleep", "1000");
        List<String> ports = isola("port", "pub" + PID).lines().toList();
        assertEquals(3, ports.size(), ports::toString);
        for (String port : List.of("53/udp", "80/tcp", "8080/tcp")) {
            assertTrue(
                    ports.stream().anyMatch(line -> line.matches(port + " -> 0\\.0\\.0\\.0:\\d+")),
                    port + " in " + ports);
        }
        String http = ports.stream()
                .filter(l -> l.startsWith("8080/tcp"))
                .findFirst()
                .orElseThrow()
                .replaceAll(".*:", "");
        assertTrue(isola("ps", "--format", "{{.Ports}}").contains("0.0.0.0:" + http + "->8080/tcp"), cli.lastOut());
        JsonNode bindings =
                new ObjectMapper().readTree(isola("inspect", "-f", "{{json .HostConfig.PortBindings}}", "pub" + PID));
        assertEquals(http, bindings.path("8080/tcp").path(0).path("HostPort").asText(), bindings::toString);
    }
}
