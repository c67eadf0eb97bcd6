package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers that find the log full at once (a server's commands, a monitor, the CLI) rotate it once:
 * none moves the fresh file over the rotated one, none loses its event to a file moved away.
 */
class EventLogRotationTest {

    private static final int ROUNDS = 50, WRITERS = 8;

    @TempDir
    Path tmp;

    @Test
    void concurrentWritersOfAFullLogRotateItOnceAndLoseNoEvent() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                StateStore store = new StateStore(tmp.resolve("root" + round));
                store.locked(() -> null); // makes the root as the runtime does
                byte[] full = ("{\"status\":\"old\",\"pad\":\"" + "x".repeat(2_000) + "\"}\n")
                        .repeat(600)
                        .getBytes(StandardCharsets.UTF_8);
                Files.write(store.root().resolve(EventLog.FILE), full);

                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    String id = "c" + w;
                    done.add(pool.submit(() -> {
                        start.await();
                        EventLog.record(store, EventLog.START, state(id), Map.of());
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> future : done) {
                    future.get(30, TimeUnit.SECONDS);
                }

                assertEquals(
                        full.length,
                        Files.size(store.root().resolve(EventLog.FILE + ".1")),
                        "round " + round + ": the rotated file is the full log");
                long fresh = Files.readAllLines(store.root().resolve(EventLog.FILE), StandardCharsets.UTF_8).stream()
                        .filter(line -> line.contains("\"status\":\"start\""))
                        .count();
                assertEquals(WRITERS, fresh, "round " + round + ": every writer's event is kept");
                assertTrue(Files.size(store.root().resolve(EventLog.FILE)) < full.length);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static ContainerState state(String id) {
        return new ContainerState(
                ContainerState.OCI_VERSION, id, ContainerState.Status.RUNNING, 0, null, Map.of(), "2026-01-01", null);
    }
}
