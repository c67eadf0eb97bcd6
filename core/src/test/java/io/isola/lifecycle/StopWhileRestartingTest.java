package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stop} of a container that a restart policy is starting again ("creating", between
 * {@link Monitor#rerun} and {@link Monitor#start}), on the real kernel: as Docker's, the stop
 * cancels that run, and once it returns the container stays stopped. The test holds the start
 * back until the stop has written itself down, the interleaving that let a restart go on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StopWhileRestartingTest {

    @TempDir
    Path root;

    @Test
    void aStopWhileARestartIsCreatedEndsThatRunAndKeepsItStopped() throws Exception {
        StateStore store = new StateStore(root);
        Lifecycle lifecycle = new Lifecycle(store);
        ContainerSpec spec = ContainerSpec.builder("sleep", "1000").build();
        String id = Monitor.newId();
        Monitor.created(
                store,
                Monitor.register(
                        store,
                        id,
                        "loop",
                        spec,
                        true,
                        false,
                        new Relaunch(List.of("--", "sleep", "1000"), "always", 0, null),
                        Map.of(),
                        null,
                        null));
        ContainerState creating = Monitor.rerun(store, id, relaunch -> relaunch.withCount(1));
        assertNotNull(creating);

        CompletableFuture<ContainerState> stop = CompletableFuture.supplyAsync(() -> {
            try {
                return lifecycle.stop(id, Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 500 && !store.read(id).isola().relaunch().stopped(); i++) {
            Thread.sleep(10); // bounded: the stop marks the container before it decides anything
        }
        assertTrue(store.read(id).isola().relaunch().stopped(), "the stop wrote itself down");

        try (Isola isola = MonitorTestMain.runtime()) {
            Monitor monitor = new Monitor(isola, store);
            Monitor.Running running = monitor.start(creating, spec);
            CompletableFuture<?> reaped = CompletableFuture.runAsync(() -> {
                try (var container = running.container()) {
                    monitor.await(running);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ContainerState stopped = stop.get(30, TimeUnit.SECONDS);
            try {
                assertEquals(ContainerState.Status.STOPPED, stopped.status(), "stop returns once that run ended");
                assertFalse(running.state().process().isAlive(), "the run that was being created was stopped");
                ContainerState stored = store.read(id);
                assertEquals(ContainerState.Status.STOPPED, stored.status());
                assertTrue(stored.isola().relaunch().stopped(), "its start kept the user's stop: " + stored);
                assertEquals(1, stored.isola().relaunch().count());
            } finally {
                running.container().kill(9);
                reaped.get(30, TimeUnit.SECONDS);
                store.delete(id);
            }
        }
    }
}
