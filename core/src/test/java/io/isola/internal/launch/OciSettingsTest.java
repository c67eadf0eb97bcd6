package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Capability;
import io.isola.api.CapabilitySets;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.NamespacePaths;
import io.isola.api.ProcessAttributes;
import io.isola.api.Sysctls;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an OCI config.json asks beyond namespaces, as the container sees it: the five capability
 * sets, a network namespace joined by path, a namespaced sysctl written inside it (and not on the
 * host), the umask and the OOM score adjustment.
 */
class OciSettingsTest {

    private static final Set<String> ISOLATORS = Set.of("uts", "ipc", "mount", "pid");
    private static Isola isola;

    @BeforeAll
    static void start() {
        isola = Isola.builder()
                .isolators(List.of(
                        TestIsolator.plain("uts", Namespace.UTS),
                        TestIsolator.plain("ipc", Namespace.IPC),
                        TestIsolator.plain("mount", Namespace.MOUNT),
                        TestIsolator.withSteps(
                                "pid",
                                Namespace.PID,
                                steps -> steps.add(
                                        Phase.FILESYSTEM,
                                        Steps.mount("mount proc on /proc", "proc", "/proc", "proc", 0, null)))))
                .build();
    }

    @AfterAll
    static void stop() {
        isola.close();
    }

    private static Outcome sh(String script, Object... extensions) throws Exception {
        ContainerSpec.Builder spec = ContainerSpec.builder("sh", "-c", script).isolators(ISOLATORS);
        for (Object extension : extensions) {
            spec.with(extension);
        }
        Outcome outcome = Outcome.of(isola, spec.build());
        assertEquals(0, outcome.status().exitCode(), outcome::toString);
        return outcome;
    }

    @Test
    void eachCapabilitySetIsTheConfigs() throws Exception {
        CapabilitySets sets = new CapabilitySets(
                EnumSet.of(Capability.KILL, Capability.CHOWN, Capability.SETPCAP),
                EnumSet.of(Capability.KILL),
                EnumSet.of(Capability.KILL, Capability.CHOWN),
                EnumSet.of(Capability.KILL),
                EnumSet.of(Capability.KILL));
        String out = sh("grep -E '^Cap' /proc/self/status", sets).out();
        // KILL is bit 5 (0x20), CHOWN bit 0 (0x1), SETPCAP bit 8 (0x100); ambient KILL survives exec into sh
        assertTrue(out.contains("CapBnd:\t0000000000000121"), out);
        assertTrue(out.contains("CapPrm:\t0000000000000021"), out);
        assertTrue(out.contains("CapInh:\t0000000000000020"), out);
        assertTrue(out.contains("CapAmb:\t0000000000000020"), out);
        assertTrue(
                out.contains("CapEff:\t0000000000000021"), "the ambient set joins the effective one at exec: " + out);
    }

    @Test
    void umaskAndOomScoreAdjustment() throws Exception {
        String out = sh("umask; cat /proc/self/oom_score_adj", new ProcessAttributes(027, 500))
                .out();
        assertEquals(List.of("0027", "500"), out.lines().toList());
    }

    @Test
    void aNetworkNamespaceIsJoinedByPathAndItsSysctlIsSetInsideIt() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
                "the namespace to join is made with ip netns; install iproute2");
        String name = "isola-oci-test-" + ProcessHandle.current().pid();
        assertEquals(0, new ProcessBuilder("ip", "netns", "add", name).start().waitFor());
        try {
            Path file = Path.of("/run/netns", name);
            long inode = (Long) Files.getAttribute(file, "unix:ino");
            String hostValue = read(Path.of("/proc/sys/net/ipv4/ping_group_range"));
            String out = sh(
                            "readlink /proc/self/ns/net; cat /proc/sys/net/ipv4/ping_group_range",
                            new NamespacePaths(Map.of("net", file.toString())),
                            new Sysctls(Map.of("net.ipv4.ping_group_range", "0 0")))
                    .out();
            assertEquals(List.of("net:[" + inode + "]", "0\t0"), out.lines().toList());
            assertEquals(hostValue, read(Path.of("/proc/sys/net/ipv4/ping_group_range")), "the host's value changed");
            assertEquals(List.of(), fdsOn("net:[" + inode + "]"), "the namespace file is still open");
        } finally {
            new ProcessBuilder("ip", "netns", "del", name).start().waitFor();
        }
    }

    @Test
    void aSysctlOfANamespaceTheContainerSharesWithTheHostIsRefused() {
        ContainerSpec spec = ContainerSpec.builder("true")
                .isolators(Set.of("uts", "mount"))
                .with(new Sysctls(Map.of("net.ipv4.ip_forward", "1")))
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> isola.start(spec));
        assertTrue(
                e.getMessage().contains("net.ipv4.ip_forward") && e.getMessage().contains("host"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sysctls(Map.of("kernel.hostname", "x")));
        assertThrows(IllegalArgumentException.class, () -> new NamespacePaths(Map.of("pid", "proc/1/ns/pid")));
        assertThrows(IllegalArgumentException.class, () -> new NamespacePaths(Map.of("network", "/proc/1/ns/net")));
    }

    private static String read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** This JVM's fds whose link names {@code target}: precise where a count would see other tests' fds come and go. */
    private static List<String> fdsOn(String target) throws java.io.IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString().equals(target);
                        } catch (java.io.IOException e) {
                            return false; // closed meanwhile (the listing's own fd among them)
                        }
                    })
                    .map(Path::toString)
                    .toList();
        }
    }
}
