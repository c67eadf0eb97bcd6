package io.isola.ns.net;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Isola;
import io.isola.spi.Namespace;
import io.isola.testing.TestIsolator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tests' own networks, never a user's: a configuration and runtime directory of their own
 * under /tmp, a default network "isotest" on bridge "isotest0" with a subnet the host does not
 * route, and helpers to read what the host has (links, leases, iptables rules).
 */
final class TestNetworks {

    /** Unique per test JVM: two runs of these tests on one host (two checkouts) never share a network. */
    static final String NETWORK = "isot" + ProcessHandle.current().pid();

    static final String BRIDGE = NetworkConfigs.bridgeName(NETWORK);

    final Path root;
    final Path configDir;
    final Path runtimeDir;
    final String subnet;
    /** Whether portmap's shared chains existed before the test: if not, the test removes them. */
    private final boolean portmapChainsBefore;

    TestNetworks(String name) throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/lib/cni/bridge")),
                "the CNI plugins are not installed (apt-get install containernetworking-plugins)");
        assumeTrue(HostNet.which("iptables"), "iptables is not installed");
        assumeTrue(
                Files.isExecutable(Path.of("/bin/busybox")),
                "busybox is not installed (apt-get install busybox-static)");
        this.root = Path.of("/tmp", "isola-net-test-" + ProcessHandle.current().pid(), name);
        this.configDir = root.resolve("net.d");
        this.runtimeDir = root.resolve("run");
        Files.createDirectories(configDir);
        this.subnet = freeSubnet();
        this.portmapChainsBefore = HostNet.run("iptables", "-t", "nat", "-S").contains("-N CNI-HOSTPORT-DNAT");
    }

    /** What of the host's network belongs to this test's network, for before/after comparisons. */
    HostNet.Snapshot snapshot() throws Exception {
        return HostNet.Snapshot.take(NETWORK, BRIDGE, subnet.substring(0, subnet.lastIndexOf('.') + 1), leaseDir());
    }

    /** Where host-local keeps the test network's leases: the default network's dataDir. */
    Path leaseDir() {
        return runtimeDir.resolve("ipam").resolve(NETWORK);
    }

    NetIsolator isolator() {
        return new NetIsolator(settings("bridge"));
    }

    NetIsolator.Settings settings(String mode) {
        return new NetIsolator.Settings(NETWORK, mode, "/usr/lib/cni", configDir, runtimeDir, subnet);
    }

    /** A runtime with the network isolator, a mount namespace (for the /etc files) and a UTS namespace. */
    Isola runtime(NetIsolator isolator) {
        return Isola.builder()
                .isolators(List.of(
                        isolator,
                        TestIsolator.plain("mount", Namespace.MOUNT),
                        TestIsolator.plain("uts", Namespace.UTS)))
                .build();
    }

    /** A /24 in 10.231-10.239 that no host route overlaps, starting from one that depends on the pid. */
    private static String freeSubnet() {
        int start = (int) (ProcessHandle.current().pid() % 250);
        for (int i = 0; i < 9 * 250; i++) {
            int second = 231 + i / 250, third = (start + i) % 250;
            Ipv4Net candidate = new Ipv4Net(10 << 24 | second << 16 | third << 8, 24);
            if (Ipv4Net.hostRoutes().stream()
                    .noneMatch(
                            r -> !r.device().equals(BRIDGE) && r.destination().overlaps(candidate))) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("no free test subnet in 10.231-10.239");
    }

    /**
     * portmap's top-level chains, which it shares between networks and never removes itself; left
     * alone while another network still forwards ports through them.
     */
    private static void removePortmapChains() throws Exception {
        if (HostNet.run("iptables", "-t", "nat", "-S", "CNI-HOSTPORT-DNAT")
                .lines()
                .anyMatch(l -> l.startsWith("-A"))) {
            return;
        }
        HostNet.run(
                "iptables",
                "-t",
                "nat",
                "-D",
                "PREROUTING",
                "-m",
                "addrtype",
                "--dst-type",
                "LOCAL",
                "-j",
                "CNI-HOSTPORT-DNAT");
        HostNet.run(
                "iptables",
                "-t",
                "nat",
                "-D",
                "OUTPUT",
                "-m",
                "addrtype",
                "--dst-type",
                "LOCAL",
                "-j",
                "CNI-HOSTPORT-DNAT");
        HostNet.run(
                "iptables",
                "-t",
                "nat",
                "-D",
                "POSTROUTING",
                "-m",
                "comment",
                "--comment",
                "CNI portfwd requiring masquerade",
                "-j",
                "CNI-HOSTPORT-MASQ");
        for (String chain : List.of("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK")) {
            HostNet.run("iptables", "-t", "nat", "-F", chain);
            HostNet.run("iptables", "-t", "nat", "-X", chain);
        }
    }

    /** Removes the test's bridge, rules and directories (the bridge plugin never deletes a bridge). */
    void destroy() throws Exception {
        HostNet.run("ip", "link", "del", BRIDGE);
        AttachmentStore.delete(root);
        AttachmentStore.delete(Path.of("/var/lib/cni/networks", NETWORK));
        if (!portmapChainsBefore) {
            removePortmapChains();
        }
        try (var left = Files.list(root.getParent())) {
            if (left.findAny().isEmpty()) {
                Files.delete(root.getParent());
            }
        }
    }
}
