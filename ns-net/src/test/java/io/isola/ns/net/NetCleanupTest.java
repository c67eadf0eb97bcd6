package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.testing.HostState;
import io.isola.testing.Outcome;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nothing leaks: the host's links, host-local leases and iptables rules are the same after many
 * runs, and after a host JVM killed with SIGKILL mid-run once the next runtime has swept.
 *
 * <p>The baseline is taken after one warm-up run with a published port: the bridge and portmap's
 * top-level chains are shared by every container of the network and stay by design, as with podman.
 */
class NetCleanupTest {

    static TestNetworks nets;
    static Isola isola;
    static HostNet.Snapshot baseline;

    @BeforeAll
    static void setUp() throws Exception {
        nets = new TestNetworks("cleanup");
        isola = nets.runtime(nets.isolator());
        Outcome warmUp = Outcome.of(
                isola,
                ContainerSpec.builder("true")
                        .with(Network.bridge().publish(new PortMapping(freePort(), 80, "tcp")))
                        .build());
        assertEquals(0, warmUp.status().exitCode(), warmUp.err());
        baseline = nets.snapshot();
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

    /** Four at a time: host-local and the iptables rules see concurrent ADDs and DELs too. */
    @Test
    void fiftyBridgeRunsLeaveTheHostAsItWas() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Outcome>> runs = new ArrayList<>();
            for (int run = 0; run < 50; run++) {
                Network network = run % 2 == 0
                        ? Network.bridge()
                        : Network.bridge().publish(new PortMapping(freePort(), 80, "udp"));
                runs.add(pool.submit(() -> Outcome.of(
                        isola, ContainerSpec.builder("true").with(network).build())));
            }
            for (Future<Outcome> run : runs) {
                Outcome outcome = run.get(120, TimeUnit.SECONDS);
                assertEquals(0, outcome.status().exitCode(), outcome.err());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(baseline, nets.snapshot());
        assertEquals(List.of(), new AttachmentStore(nets.runtimeDir).dirs());
    }

    @Test
    void aKilledHostsContainerIsReleasedByTheNextRuntimeWhileItStillRuns() throws Exception {
        long containerPid = startAndKillHost();
        try {
            assertTrue(HostState.alive(containerPid), "the container died with its host");
            assertEquals(1, HostNet.leases(nets.leaseDir()).size(), "the killed host's container holds no lease");
            assertEquals(1, nets.isolator().cleanupStale());
            assertEquals(baseline, nets.snapshot());
            assertEquals(List.of(), new AttachmentStore(nets.runtimeDir).dirs());
        } finally {
            kill(containerPid);
        }
    }

    @Test
    void aKilledHostsContainerThatDiedTooIsReleasedByTheNextStart() throws Exception {
        long containerPid = startAndKillHost();
        kill(containerPid);
        // the next start sweeps before preparing its own container
        try (Isola next = nets.runtime(nets.isolator())) {
            Outcome outcome = Outcome.of(
                    next, ContainerSpec.builder("true").with(Network.bridge()).build());
            assertEquals(0, outcome.status().exitCode(), outcome.err());
        }
        assertEquals(baseline, nets.snapshot());
        assertEquals(List.of(), new AttachmentStore(nets.runtimeDir).dirs());
    }

    /**
     * A sweep SIGKILLed after it renamed a stale container's directory to claim it, and before it
     * ran the DEL, leaves {@code .sweep-ID-PID-START}: the next sweep finds the claimer gone and
     * releases the network itself.
     */
    @Test
    void aSweepKilledAfterItClaimedAContainerIsRetriedByTheNext() throws Exception {
        long containerPid = startAndKillHost();
        kill(containerPid);
        Path dir = new AttachmentStore(nets.runtimeDir).dirs().get(0);
        JsonNode state =
                new ObjectMapper().readTree(dir.resolve(AttachmentStore.STATE).toFile());
        // what the killed sweep left: the claim, named after a process that is gone (the dead host)
        Files.move(
                dir,
                dir.resolveSibling(".sweep-" + dir.getFileName() + "-"
                        + state.get("ownerPid").asLong() + "-"
                        + state.get("ownerStart").asLong()));

        assertEquals(1, nets.isolator().cleanupStale());

        assertEquals(baseline, nets.snapshot());
        try (var left = Files.list(dir.getParent())) {
            assertEquals(List.of(), left.toList());
        }
        assertEquals(
                List.of(),
                Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                        .filter(line -> line.contains(nets.runtimeDir.toString()))
                        .toList(),
                "the pinned namespace is unmounted");
    }

    /** Runs {@link NetHostMain} in a JVM of its own, kills it with SIGKILL once its container runs. */
    private static long startAndKillHost() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process host = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        NetHostMain.class.getName(),
                        nets.configDir.toString(),
                        nets.runtimeDir.toString(),
                        nets.subnet,
                        Integer.toString(freePort()),
                        TestNetworks.NETWORK)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String line =
                    new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertTrue(
                    line != null && line.startsWith("started "), "the host JVM did not start its container: " + line);
            assertEquals(1, new AttachmentStore(nets.runtimeDir).dirs().size());
            return Long.parseLong(line.substring("started ".length()));
        } finally {
            host.destroyForcibly(); // SIGKILL
            assertTrue(host.waitFor(30, TimeUnit.SECONDS));
        }
    }

    private static void kill(long pid) throws Exception {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        for (int i = 0; i < 100 && HostState.alive(pid); i++) {
            Thread.sleep(50);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }
}
