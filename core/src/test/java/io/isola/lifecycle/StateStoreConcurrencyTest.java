package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Threads of one JVM (a resident server's concurrent commands) take a root's lock in turn: the
 * JVM itself refuses a second lock of one file (OverlappingFileLockException), so they queue
 * before the file lock, and every container is registered.
 */
class StateStoreConcurrencyTest {

    private static final int THREADS = 8, CONTAINERS_EACH = 25;

    @TempDir
    Path tmp;

    @Test
    void concurrentCommandsOfOneJvmEachGetTheLock() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < CONTAINERS_EACH; i++) {
                        // a store per command, as each command of the server makes its own
                        new StateStore(tmp.resolve("root"))
                                .create(new ContainerState(
                                        ContainerState.OCI_VERSION,
                                        "c" + thread + "-" + i,
                                        ContainerState.Status.CREATING,
                                        0,
                                        null,
                                        Map.of(),
                                        "2026-01-01",
                                        null));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(
                THREADS * CONTAINERS_EACH,
                new StateStore(tmp.resolve("root")).list().size());
    }
}
