package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.spi.Namespace;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.TestIsolator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint that waits for host-side work an isolation's afterClone left running: the child
 * goes on with its steps meanwhile and stops only there; a failure of that work refuses it.
 */
class CheckpointHostSideTest {

    @TempDir
    Path dir;

    /** An early checkpoint (the host's afterClone runs there), a step, then the checkpoint that waits for {@code hostSide}. */
    private Isola runtime(CompletableFuture<Void> hostSide, TestIsolator.AfterClone afterClone) {
        TestIsolator slow = new TestIsolator(
                "slow",
                Namespace.UTS,
                steps -> {
                    steps.checkpoint(Phase.NAMES, "an early checkpoint");
                    steps.add(
                            Phase.FILESYSTEM,
                            Steps.mkdir(dir.resolve("child-went-on").toString(), 0755));
                    steps.checkpoint(Phase.LOCKDOWN, "wait for the host-side work", hostSide);
                },
                afterClone);
        return Isola.builder()
                .isolators(List.of(slow))
                .defaultIsolators(Set.of())
                .build();
    }

    @Test
    void theChildGoesOnWhileTheHostSideWorkRunsAndWaitsOnlyAtItsCheckpoint() throws Exception {
        CompletableFuture<Void> hostSide = new CompletableFuture<>();
        Path went = dir.resolve("child-went-on");
        // done only once the child has run a step after the early checkpoint: with a host that
        // waited for it there, the child would never get that far and the start would fail
        try (Isola isola = runtime(
                hostSide,
                child -> CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 1000 && !Files.isDirectory(went); i++) {
                        sleep(10);
                    }
                    if (Files.isDirectory(went)) {
                        hostSide.complete(null);
                    } else {
                        hostSide.completeExceptionally(new IllegalStateException("the child did not go on"));
                    }
                }))) {
            Path marker = dir.resolve("command-ran");
            ContainerSpec spec = ContainerSpec.builder("touch", marker.toString())
                    .isolators(Set.of("slow"))
                    .build();
            assertEquals(ExitStatus.exited(0), isola.run(spec));
            assertTrue(Files.exists(marker));
        }
    }

    @Test
    void aFailedHostSideWorkRefusesTheChildAtItsCheckpoint() throws Exception {
        CompletableFuture<Void> hostSide = new CompletableFuture<>();
        try (Isola isola = runtime(
                hostSide, child -> hostSide.completeExceptionally(new IllegalStateException("no cgroup for you")))) {
            Path marker = dir.resolve("command-ran");
            ContainerSpec spec = ContainerSpec.builder("touch", marker.toString())
                    .isolators(Set.of("slow"))
                    .build();
            IsolaException e = assertThrows(IsolaException.class, () -> isola.run(spec));
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "isolator \"slow\" failed in after clone: no cgroup for you; the container's "
                                            + "process was refused at the gate and exited with code 127 without running the command"),
                    e.getMessage());
            assertFalse(Files.exists(marker), "the command ran although the host-side work failed");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
