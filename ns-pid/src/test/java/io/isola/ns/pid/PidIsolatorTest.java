package io.isola.ns.pid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.spi.Duty;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.testing.HostState;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The command is PID 1 of its own PID namespace, with its own /proc and init's semantics. */
class PidIsolatorTest {

    private final Isola isola = Isola.builder()
            .isolators(List.of(new PidIsolator(), TestIsolator.plain("mount", Namespace.MOUNT)))
            .build();

    @AfterEach
    void tearDown() {
        isola.close();
    }

    @Test
    void theCommandIsPid1AndSeesOnlyItsOwnProcesses() throws Exception {
        Outcome outcome = Outcome.sh(isola, "echo $$; ps -e -o pid=,comm=; readlink /proc/self/ns/pid");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> lines = outcome.out().lines().map(String::trim).toList();
        assertEquals("1", lines.get(0));
        assertEquals(
                List.of("1 sh", "2 ps"),
                lines.subList(1, 3).stream().map(l -> l.replaceAll("\\s+", " ")).toList());
        assertEquals(4, lines.size(), outcome.out());
        assertNotEquals(HostState.namespaceOf("pid"), lines.get(3));
    }

    @Test
    void whenPid1ExitsTheProcessesItLeftBehindAreKilled() throws Exception {
        String tag = "9" + ProcessHandle.current().pid(); // a sleep length no other process uses
        Outcome outcome = Outcome.sh(isola, "sleep " + tag + " </dev/null >/dev/null 2>&1 & echo started");

        assertEquals("started\n", outcome.out());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sleepersWith(tag) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, sleepersWith(tag), "the orphaned sleep survived PID 1");
    }

    @Test
    void pid1IgnoresSignalsItHasNoHandlerForButNotSigkill() throws Exception {
        try (var container = isola.start(ContainerSpec.builder("sleep", "30").build())) {
            container.kill(15);
            assertTrue(container.waitFor(Duration.ofMillis(500)).isEmpty(), "PID 1 died of SIGTERM without a handler");
            container.kill(9);
            assertEquals(137, container.waitFor().shellCode());
        }
    }

    @Test
    void procIsLeftToAMountIsolatorThatTakesThatDuty() throws Exception {
        NamespaceIsolator mountsProcItself = new NamespaceIsolator() {
            @Override
            public String name() {
                return "mount";
            }

            @Override
            public Namespace namespace() {
                return Namespace.MOUNT;
            }

            @Override
            public Set<Duty> duties() {
                return Set.of(Duty.MOUNT_PROC);
            }

            @Override
            public Isolation prepare(IsolationRequest request) {
                return new Isolation() {}; // and mounts nothing: /proc stays the host's
            }
        };
        try (Isola hostProc = Isola.builder()
                .isolators(List.of(new PidIsolator(), mountsProcItself))
                .build()) {
            Outcome outcome = Outcome.sh(hostProc, "readlink /proc/self");

            assertEquals(0, outcome.status().exitCode(), outcome.err());
            assertNotEquals("2\n", outcome.out(), "ns-pid mounted proc although the mount isolator took that duty");
        }
    }

    private static long sleepersWith(String tag) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            String cmdline =
                                    new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                            return cmdline.equals("sleep\0" + tag + "\0")
                                    && HostState.alive(
                                            Long.parseLong(p.getFileName().toString()));
                        } catch (IOException gone) {
                            return false;
                        }
                    })
                    .count();
        }
    }
}
