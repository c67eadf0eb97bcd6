package io.isola.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.internal.chain.ExpectedRecord;
import io.isola.internal.launch.LaunchProbe;
import io.isola.testing.TestRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's process SIGKILLed after each step record of its setup, one start per step: every
 * start before the gate fails with an error naming the step, the command never runs
 * half-configured (if it ran at all, its status shows the whole lock-down), and nothing is left
 * behind.
 */
class ChildKilledAtEachStepTest {

    private static final int MAX_RECORDS = 500;

    @TempDir
    Path dir;

    @AfterEach
    void noProbe() {
        LaunchProbe.set(null);
    }

    private ContainerSpec spec(Path marker) {
        // written aside and renamed, so that a kill during the command itself leaves no partial marker
        return ContainerSpec.builder(
                        "sh", "-c", "cat /proc/self/status > " + marker + ".part && mv " + marker + ".part " + marker)
                .build();
    }

    @Test
    void killedAtEveryStepTheStartFailsCleanly() throws Exception {
        try (Isola isola = TestRuntimes.full()) {
            isola.run(spec(dir.resolve("warm-up")));
            Leftovers before = Leftovers.now();
            int tried = 0, leftBehind = 0, halfConfigured = 0;
            List<String> problems = new ArrayList<>();
            for (int k = 0; k < MAX_RECORDS; k++) {
                int target = k;
                AtomicReference<ExpectedRecord> killedAt = new AtomicReference<>();
                LaunchProbe.set((pid, index, record) -> {
                    if (index == target && record.kind() != ExpectedRecord.Kind.EXEC) {
                        killedAt.set(record);
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                });
                Path marker = dir.resolve("ran-" + k);
                boolean started;
                try (Container container = isola.start(spec(marker))) {
                    started = true;
                    container.waitFor();
                } catch (IsolaException e) {
                    started = false;
                    if (killedAt.get() != null && killedAt.get().kind() != ExpectedRecord.Kind.GATE) {
                        assertTrue(e.getMessage().contains("ended during step"), e::getMessage);
                    }
                }
                LaunchProbe.set(null);
                ExpectedRecord at = killedAt.get();
                if (at == null) {
                    break; // record k is an exec: from there on the command runs, nothing left to interrupt
                }
                tried++;
                boolean beforeGate = at.kind() != ExpectedRecord.Kind.GATE && !afterGate(at);
                if (beforeGate && started) {
                    problems.add("killed after '" + at.description() + "', the start still succeeded");
                }
                if (Files.exists(marker) && !fullyLockedDown(Files.readString(marker))) {
                    halfConfigured++;
                    problems.add("the command ran half-configured after '" + at.description() + "'");
                }
                List<String> left = Leftovers.now().since(before);
                if (!left.isEmpty()) {
                    leftBehind++;
                    problems.add("after '" + at.description() + "': " + left);
                }
            }
            System.out.printf(
                    "child killed at each step: %d cases tried, %d left something behind, %d ran half-configured%n",
                    tried, leftBehind, halfConfigured);
            assertTrue(tried > 20, "expected a record per step, got " + tried);
            assertEquals(List.of(), problems);
        }
    }

    /** The steps between the gate and the exec (clearing the parent-death signal). */
    private static boolean afterGate(ExpectedRecord record) {
        return record.description().contains("parent-death signal")
                && record.description().startsWith("clear");
    }

    /** Docker's default bounding set, less NET_RAW: the test isolators leave the container on the host's network. */
    static boolean fullyLockedDown(String status) {
        return status.contains("Seccomp:\t2")
                && status.contains("NoNewPrivs:\t1")
                && status.contains("CapBnd:\t00000000a80405fb");
    }
}
