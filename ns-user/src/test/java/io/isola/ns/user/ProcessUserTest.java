package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import io.isola.spi.Namespace;
import io.isola.spi.support.HostIdentity;
import io.isola.testing.Outcome;
import io.isola.testing.TestIsolator;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code --user UID[:GID]}: the command runs as that user with no capability left, with or without a user namespace. */
class ProcessUserTest {

    private static final String CAPS = "grep -E '^Cap(Inh|Prm|Eff|Amb)' /proc/self/status";
    private static final List<String> NO_CAPS = List.of(
            "CapInh:\t0000000000000000",
            "CapPrm:\t0000000000000000",
            "CapEff:\t0000000000000000",
            "CapAmb:\t0000000000000000");

    private final Isola isola = Isola.builder()
            .isolators(
                    List.of(UserNamespaceTest.userIsolator(Path.of("/proc")), TestIsolator.plain("pid", Namespace.PID)))
            .build();

    @BeforeAll
    static void asRoot() {
        assumeTrue(HostIdentity.current().isRoot(), "these tests start containers as root on the host");
    }

    @AfterEach
    void tearDown() {
        isola.close();
    }

    @Test
    void withoutAUserNamespaceTheCommandRunsAsThatHostUserWithNoCapabilities() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("sh", "-c", "id -u; id -g; id -G; " + CAPS)
                        .with(ProcessUser.parse("1000:1000"))
                        .build());
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertEquals(List.of("1000", "1000", "1000"), lines.subList(0, 3), "no supplementary group of root is left");
        assertEquals(NO_CAPS, lines.subList(3, 7));
    }

    @Test
    void supplementaryGroupsAreSet() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("id", "-G")
                        .with(ProcessUser.of(1000, 1000, 27, 100))
                        .build());
        assertEquals("1000 27 100\n", outcome.out(), outcome.err());
    }

    @Test
    void inAUserNamespaceTheUserIsMappedAndHasNoCapabilities() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "id -u; id -g; " + CAPS
                                        + "; grep -E '^(Uid|Gid):' /proc/self/status; cat /proc/self/uid_map")
                        .with(UserNamespace.defaultMapping())
                        .with(ProcessUser.of(1000, 1000, 10))
                        .build());
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertEquals(List.of("1000", "1000"), lines.subList(0, 2));
        assertEquals(NO_CAPS, lines.subList(2, 6));
        // the process's own /proc shows ids as its namespace sees them; the host's view is the mapped one
        assertEquals("Uid:\t1000\t1000\t1000\t1000", lines.get(6));
    }

    @Test
    void rootStaysRootWithItsCapabilities() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("sh", "-c", "id -u; id -g; grep CapEff /proc/self/status")
                        .with(ProcessUser.parse("0:5"))
                        .build());
        List<String> lines = outcome.out().lines().toList();
        assertEquals(List.of("0", "5"), lines.subList(0, 2));
        assertTrue(!lines.get(2).endsWith("0000000000000000"), lines.get(2));
    }

    /**
     * The child shares the JVM's memory. glibc's setresuid would have made every JVM thread take
     * the container user's ids; the raw system calls change only the child.
     */
    @Test
    void theJvmsThreadsKeepTheirIds() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(
                    0,
                    Outcome.of(
                                    isola,
                                    ContainerSpec.builder("true")
                                            .with(ProcessUser.parse("1000:1000"))
                                            .build())
                            .status()
                            .exitCode());
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                List<String> status;
                try {
                    status = Files.readAllLines(task.resolve("status"));
                } catch (NoSuchFileException ended) {
                    continue; // a thread that ended meanwhile
                }
                assertTrue(status.contains("Uid:\t0\t0\t0\t0"), task + ": " + status);
                assertTrue(status.contains("Gid:\t0\t0\t0\t0"), task + ": " + status);
            }
        }
    }
}
