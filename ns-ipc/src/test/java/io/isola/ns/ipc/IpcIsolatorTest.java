package io.isola.ns.ipc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.testing.HostState;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** System V IPC objects of the host and of the container do not see each other. */
class IpcIsolatorTest {

    private static final Path QUEUES = Path.of("/proc/sysvipc/msg");

    @Test
    void aHostQueueIsInvisibleInsideAndAQueueMadeInsideDiesWithTheContainer() throws Exception {
        String hostQueue = run("ipcmk", "-Q").replaceAll("\\D", "");
        try (Isola isola = Isola.builder().isolators(List.of(new IpcIsolator())).build()) {
            String hostQueuesBefore = Files.readString(QUEUES);
            assertTrue(hostQueuesBefore
                    .lines()
                    .anyMatch(line -> line.trim().split("\\s+")[1].equals(hostQueue)));

            Outcome outcome = Outcome.of(
                    isola,
                    ContainerSpec.builder(
                                    "sh",
                                    "-c",
                                    "tail -n +2 /proc/sysvipc/msg | wc -l; ipcmk -Q >/dev/null; tail -n +2 /proc/sysvipc/msg | wc -l;"
                                            + " readlink /proc/self/ns/ipc")
                            .build());

            assertEquals(0, outcome.status().exitCode(), outcome.err());
            String[] lines = outcome.out().split("\n");
            assertEquals("0", lines[0].trim(), "queues visible inside before creating one");
            assertEquals("1", lines[1].trim(), "queues visible inside after creating one");
            assertNotEquals(HostState.namespaceOf("ipc"), lines[2]);
            assertEquals(hostQueuesBefore, Files.readString(QUEUES), "the host's queues changed");
        } finally {
            run("ipcrm", "-q", hostQueue);
        }
        assertFalse(Files.readString(QUEUES)
                .lines()
                .skip(1)
                .anyMatch(line -> line.trim().split("\\s+")[1].equals(hostQueue)));
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
