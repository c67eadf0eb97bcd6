package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Stdio;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23, escape 1: no container shares the host's network namespace unless it asks. A default
 * {@code isola run} gets a namespace of its own with only {@code lo}, up; {@code --net host} (or
 * {@code mode = host} in the configuration) shares the host's, and then keeps no CAP_NET_RAW, so
 * that no packet socket sniffs the host's loopback, unless {@code --cap-add NET_RAW}. The
 * container reports what it sees into a volume; sockets are tried with perl (Debian's perl-base).
 */
class DefaultNetworkIT {

    private static final long CAP_NET_RAW = 1L << 13;
    /** Prints the container's network namespace, its links, lo's flags, CapEff and a packet socket's outcome. */
    private static final String PROBE =
            "readlink /proc/self/ns/net > /out/ns; ls /sys/class/net | tr '\\n' ' ' > /out/links;"
                    + " cat /sys/class/net/lo/flags > /out/lo; grep CapEff /proc/self/status | cut -f2 > /out/capeff;"
                    + " perl -e 'print socket(my $s, 17, 3, 768) ? \"ok\" : $! + 0' > /out/packet"; // AF_PACKET,
    // SOCK_RAW,
    // ETH_P_ALL

    @TempDir
    Path tmp;

    private Path out;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void store() throws Exception {
        RootOnly.require();
        System.setProperty("isola.root", tmp.resolve("store").toString());
        out = Files.createDirectories(tmp.resolve("out"));
    }

    @AfterEach
    void clear() {
        System.clearProperty("isola.root");
    }

    private void probe(String... flags) {
        probe(List.of(), flags);
    }

    private void probe(List<String> global, String... flags) {
        List<String> args = new ArrayList<>(global);
        args.addAll(List.of("run", "--rm", "-v", out + ":/out"));
        args.addAll(List.of(flags));
        args.addAll(List.of("--", "sh", "-c", PROBE));
        assertEquals(
                0,
                Main.execute(
                        args.toArray(String[]::new),
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(err, true)),
                err::toString);
    }

    private String seen(String file) throws Exception {
        return Files.readString(out.resolve(file)).strip();
    }

    private static String hostNetns() throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    }

    private boolean netRaw() throws Exception {
        return (Long.parseUnsignedLong(seen("capeff"), 16) & CAP_NET_RAW) != 0;
    }

    @Test
    void aDefaultContainerHasANetworkOfItsOwnWithOnlyLoUp() throws Exception {
        probe();
        assertNotEquals(hostNetns(), seen("ns"), "a default container shares the host's network namespace");
        assertEquals("lo", seen("links"));
        assertEquals("0x9", seen("lo"), "lo is up (IFF_UP | IFF_LOOPBACK)");
        assertEquals("ok", seen("packet"), "in its own namespace a packet socket sees only the container's traffic");
    }

    @Test
    void netHostSharesTheHostsNetworkWithoutNetRaw() throws Exception {
        probe("--net", "host");
        assertEquals(hostNetns(), seen("ns"));
        assertEquals(false, netRaw(), "CapEff " + seen("capeff") + " has CAP_NET_RAW");
        assertEquals("1", seen("packet"), "a packet socket on the host's network is refused with EPERM");
    }

    @Test
    void netHostWithCapAddNetRawKeepsIt() throws Exception {
        probe("--net", "host", "--cap-add", "NET_RAW");
        assertEquals(hostNetns(), seen("ns"));
        assertEquals(true, netRaw(), "CapEff " + seen("capeff"));
        assertEquals("ok", seen("packet"));
    }

    /** Embedded: a spec that says nothing of its network, on a runtime with no configuration directory. */
    @Test
    void anEmbeddedSpecThatSaysNothingOfItsNetworkGetsItsOwn() throws Exception {
        try (IsolaRuntime isola = IsolaRuntime.withBundles(Path.of(System.getProperty("isola.bundles")))
                        .start();
                Container container = isola.start(ContainerSpec.builder("readlink", "/proc/self/ns/net")
                        .stdout(Stdio.PIPE)
                        .build())) {
            String seen = new String(container.stdout().readAllBytes(), UTF_8).strip();
            assertEquals(0, container.waitFor().exitCode());
            assertNotEquals(hostNetns(), seen);
        }
    }

    @Test
    void modeHostInTheConfigurationSharesTheHostsNetworkWithoutNetRaw() throws Exception {
        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Files.writeString(conf.resolve("io.isola.ns.net.cfg"), "mode = host\n");
        Files.writeString(conf.resolve("isola.properties"), "plugins =\n");
        probe(List.of("--config", conf.toString()));
        assertEquals(hostNetns(), seen("ns"));
        assertEquals(false, netRaw(), "CapEff " + seen("capeff") + " has CAP_NET_RAW");
    }
}
