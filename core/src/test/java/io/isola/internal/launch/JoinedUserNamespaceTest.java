package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.DeferredStart;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.NamespacePaths;
import io.isola.api.Stdio;
import io.isola.api.StepFailedException;
import io.isola.internal.nativ.Pidfd;
import io.isola.spi.Namespace;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PID namespace created beside a user namespace joined by path, on the real kernel: the child
 * joins, unshares and spawns the container's PID 1, which the host reports, starts and reaps, in
 * a run and in a create; a join that fails leaves no process behind, the spawned one included.
 * The joined user namespace is an {@code unshare --user --map-root-user} process's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinedUserNamespaceTest {

    @TempDir
    Path dir;

    private Isola isola;
    private Process owner;

    @BeforeEach
    void setUp() throws Exception {
        isola = Isola.builder()
                .isolators(List.of(TestIsolator.plain("pid", Namespace.PID)))
                .build();
        owner = new ProcessBuilder("unshare", "--user", "--map-root-user", "sleep", "1000")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String ours = link("self", "user");
        for (int i = 0; i < 100 && link(Long.toString(owner.pid()), "user").equals(ours); i++) {
            Thread.sleep(20); // unshare has not got there yet
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        isola.close();
        owner.destroyForcibly();
        owner.waitFor(10, TimeUnit.SECONDS);
    }

    private ContainerSpec.Builder joiningUser(String userPath, String script) {
        return ContainerSpec.builder("sh", "-c", script)
                .isolators(Set.of("pid"))
                .with(new NamespacePaths(Map.of("user", userPath)));
    }

    private static String link(String pid, String namespace) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", pid, "ns", namespace)).toString();
    }

    @Test
    void aRunIsPid1OfItsNewPidNamespaceInTheJoinedUserNamespace() throws Exception {
        Outcome seen = Outcome.of(
                isola,
                joiningUser(
                                "/proc/" + owner.pid() + "/ns/user",
                                "echo $$; readlink /proc/self/ns/user /proc/self/ns/pid")
                        .build());

        assertEquals(0, seen.status().exitCode(), seen.err());
        List<String> lines = seen.out().lines().toList();
        assertEquals("1", lines.get(0), "the spawned process is PID 1 of the new namespace");
        assertEquals(link(Long.toString(owner.pid()), "user"), lines.get(1));
        assertNotEquals(link("self", "pid"), lines.get(2));
    }

    @Test
    void aCreatedContainersPidIsItsInitWhichStartRuns() throws Exception {
        Path out = dir.resolve("out");
        Container created = isola.start(joiningUser("/proc/" + owner.pid() + "/ns/user", "echo started as $$")
                .stdout(Stdio.file(out))
                .with(new DeferredStart(dir))
                .build());
        try (Pidfd process = Pidfd.open(created.pid())) {
            created.close();
            String nspid = Files.readAllLines(Path.of("/proc", Long.toString(created.pid()), "status")).stream()
                    .filter(line -> line.startsWith("NSpid:"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(nspid.matches("NSpid:\\s+" + created.pid() + "\\s+1"), nspid);
            assertEquals(link(Long.toString(owner.pid()), "user"), link(Long.toString(created.pid()), "user"));

            Isola.startCreated(dir, Duration.ofSeconds(10));

            assertEquals(ExitStatus.exited(0), process.awaitExit(Duration.ofSeconds(10)));
            assertEquals("started as 1\n", Files.readString(out));
        }
    }

    /**
     * The chain goes on past a failed join and spawns all the same; the sibling would wait for
     * ever at its checkpoint on a create's gate FIFO, so the host learns its pid and kills it too.
     */
    @Test
    void aFailedJoinLeavesNoProcessBehindNotEvenTheSpawnedOne() throws Exception {
        Set<Long> before = children();

        StepFailedException e = assertThrows(
                StepFailedException.class,
                () -> isola.start(joiningUser("/proc/self/ns/net", "true") // not a user namespace
                        .with(new DeferredStart(dir))
                        .build()));

        assertEquals("EINVAL", e.errnoName(), e.getMessage());
        assertTrue(e.getMessage().contains("join the user namespace"), e.getMessage());
        assertEquals(before, children(), "processes left behind");
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(java.util.stream.Collectors.toSet());
    }
}
