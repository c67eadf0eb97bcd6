package io.isola.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.testing.TestRuntimes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Load through one embedded runtime, with the full default lock-down: 1,000 containers one after
 * another, then 50 at once. No start may fail, and fds, threads and native memory of this JVM end
 * where they began. {@code -Disola.load.sequential=N -Disola.load.concurrent=M} scale it up.
 */
class LoadTest {

    static final int SEQUENTIAL = Integer.getInteger("isola.load.sequential", 1_000);
    static final int CONCURRENT = Integer.getInteger("isola.load.concurrent", 50);

    @Test
    void aThousandSequentialAndFiftyConcurrentContainersLeaveNothing() throws Exception {
        ContainerSpec spec = ContainerSpec.builder("true").build();
        try (Isola warmUp = TestRuntimes.full()) { // loads the native layer, whose library handles stay open
            warmUp.run(spec);
        }
        Leftovers baseline = Leftovers.now();
        int failed = 0;
        long sequentialMs, concurrentMs;
        List<String> growth;
        try (Isola isola = TestRuntimes.full()) {
            long start = System.nanoTime();
            Leftovers early = null;
            for (int i = 0; i < SEQUENTIAL; i++) {
                if (isola.run(spec).exitCode() != 0) {
                    failed++;
                }
                if (i == Math.min(99, SEQUENTIAL - 1)) {
                    early = Leftovers.now(); // the runtime's own cloning thread and arena exist from here on
                }
            }
            sequentialMs = (System.nanoTime() - start) / 1_000_000;
            growth = Leftovers.now().since(early);

            ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ExitStatus>> results = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return isola.run(
                            ContainerSpec.builder("sh", "-c", "sleep 0.2").build());
                }));
            }
            start = System.nanoTime();
            go.countDown();
            for (Future<ExitStatus> result : results) {
                if (result.get(120, TimeUnit.SECONDS).exitCode() != 0) {
                    failed++;
                }
            }
            concurrentMs = (System.nanoTime() - start) / 1_000_000;
            pool.shutdown();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        List<String> left = Leftovers.now().since(baseline);
        System.out.printf(
                "load: %d sequential in %d ms (%.1f/s), growth from the 100th to the last: %s; %d concurrent in %d ms; "
                        + "%d failed; left after close: %s%n",
                SEQUENTIAL,
                sequentialMs,
                SEQUENTIAL * 1000.0 / sequentialMs,
                growth,
                CONCURRENT,
                concurrentMs,
                failed,
                left);
        assertEquals(0, failed);
        assertEquals(List.of(), growth, "fds, threads or native memory grew while launching sequentially");
        assertEquals(List.of(), left, "left once the runtime is closed");
    }
}
