package io.isola.internal.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.api.Capability;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.ProcessUser;
import io.isola.api.Security;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What /proc/self/status shows inside: Docker's capabilities, no_new_privs and a seccomp filter by default. */
class CapabilityLockdownTest {

    private static Isola isola;

    @BeforeAll
    static void start() {
        isola = Containers.runtime();
    }

    @AfterAll
    static void stop() {
        isola.close();
    }

    private static Map<String, String> status(Security security) throws Exception {
        Outcome outcome = Containers.sh(isola, security, "cat /proc/self/status");
        assertEquals(0, outcome.status().exitCode(), outcome::toString);
        Map<String, String> fields = new HashMap<>();
        for (String line : outcome.out().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    private static String hex(Set<Capability> caps) {
        return String.format("%016x", CapabilitySteps.mask(caps));
    }

    private static String hostField(String name) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith(name + ":"))
                .findFirst()
                .orElseThrow()
                .substring(name.length() + 1)
                .trim();
    }

    @Test
    void byDefaultExactlyDockersCapabilitiesNoNewPrivsAndAFilter() throws Exception {
        Map<String, String> status = status(Security.defaults());
        String docker = hex(Security.DEFAULT_CAPABILITIES);
        assertEquals(
                "00000000a80425fb", docker, "Docker's default set, as capsh --print shows it in a docker container");
        assertEquals(docker, status.get("CapEff"));
        assertEquals(docker, status.get("CapPrm"));
        assertEquals(docker, status.get("CapBnd"));
        assertEquals("0000000000000000", status.get("CapInh"));
        assertEquals("0000000000000000", status.get("CapAmb"));
        assertEquals("1", status.get("NoNewPrivs"));
        assertEquals("2", status.get("Seccomp"));
    }

    @Test
    void capDropAllLeavesNone() throws Exception {
        Map<String, String> status = status(Security.builder().capDrop("ALL").build());
        assertEquals("0000000000000000", status.get("CapEff"));
        assertEquals("0000000000000000", status.get("CapPrm"));
        assertEquals("0000000000000000", status.get("CapBnd"));
    }

    @Test
    void capAddAndCapDropChangeTheDefaultSet() throws Exception {
        Map<String, String> status = status(Security.builder()
                .capAdd("NET_ADMIN")
                .capDrop("cap_net_raw", "MKNOD")
                .build());
        Set<Capability> expected = EnumSet.copyOf(Security.DEFAULT_CAPABILITIES);
        expected.add(Capability.NET_ADMIN);
        expected.remove(Capability.NET_RAW);
        expected.remove(Capability.MKNOD);
        assertEquals(hex(expected), status.get("CapEff"));
        assertEquals(hex(expected), status.get("CapBnd"));
    }

    @Test
    void privilegedKeepsTheHostsCapabilitiesWithoutAFilter() throws Exception {
        Map<String, String> status = status(Security.builder().privileged(true).build());
        assertEquals(hostField("CapBnd"), status.get("CapBnd"));
        assertEquals(hostField("CapEff"), status.get("CapEff"));
        assertEquals("0", status.get("Seccomp"));
    }

    @Test
    void securityOptionsTurnOffNoNewPrivsAndTheFilter() throws Exception {
        Map<String, String> withPrivs =
                status(Security.builder().securityOpt("no-new-privileges=false").build());
        assertEquals("0", withPrivs.get("NoNewPrivs"));
        assertEquals("2", withPrivs.get("Seccomp"), "the filter goes in before the capabilities are dropped");
        assertEquals(hex(Security.DEFAULT_CAPABILITIES), withPrivs.get("CapEff"));

        Map<String, String> unconfined =
                status(Security.builder().securityOpt("seccomp=unconfined").build());
        assertEquals("0", unconfined.get("Seccomp"));
        assertEquals("1", unconfined.get("NoNewPrivs"));
        assertEquals(hex(Security.DEFAULT_CAPABILITIES), unconfined.get("CapEff"));
    }

    @Test
    void anotherUserKeepsTheBoundingSetAndNoCapabilityAsInDocker() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("sh", "-c", "id -u; cat /proc/self/status")
                        .isolators(Containers.ALL)
                        .with(ProcessUser.of(1000, 1000))
                        .build());
        assertEquals(0, outcome.status().exitCode(), outcome::toString);
        assertEquals("1000", outcome.out().lines().findFirst().orElseThrow());
        String status = outcome.out();
        assertEquals(true, status.contains("CapEff:\t0000000000000000"), status);
        assertEquals(true, status.contains("CapPrm:\t0000000000000000"), status);
        assertEquals(true, status.contains("CapBnd:\t" + hex(Security.DEFAULT_CAPABILITIES)), status);
        assertEquals(true, status.contains("NoNewPrivs:\t1") && status.contains("Seccomp:\t2"), status);
    }

    @Test
    void ulimitsApplyAndTheDefaultLimitsOpenFiles() throws Exception {
        assertEquals(
                "1024\n", Containers.sh(isola, Security.defaults(), "ulimit -n").out());
        Outcome limited = Containers.sh(
                isola,
                Security.builder().ulimit("nofile=64:128").ulimit("core=0").build(),
                "ulimit -Sn; ulimit -Hn; ulimit -c");
        assertEquals("64\n128\n0\n", limited.out());
    }
}
