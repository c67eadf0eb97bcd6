package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.internal.nativ.NativeMemory;
import io.isola.testing.HostState;
import io.isola.testing.OpenFds;
import io.isola.testing.Outcome;
import io.isola.testing.TestRuntimes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many launches from several threads while other threads churn the heap and force collections:
 * the child runs no Java, so a safepoint or GC in the host can never hang it. Nothing may leak.
 */
class LaunchRobustnessTest {

    private static final int LAUNCHES = 500, LAUNCHERS = 4;

    private static Thread started(Runnable body) {
        Thread thread = new Thread(body, "gc-pressure");
        thread.start();
        return thread;
    }

    private static Isola runtime() {
        return TestRuntimes.full();
    }

    @Test
    void fiveHundredLaunchesUnderGcPressureNeitherHangNorFailNorLeak() throws Exception {
        try (Isola warmUp = runtime()) { // loads the native layer, whose library handles stay open
            assertEquals(
                    "1\n",
                    Outcome.of(
                                    warmUp,
                                    ContainerSpec.builder("sh", "-c", "echo $$").build())
                            .out());
        }
        OpenFds fdsBefore = OpenFds.now();
        long threadsBefore = HostState.threads();
        long nativeBefore = NativeMemory.liveBytes();

        AtomicBoolean churn = new AtomicBoolean(true);
        List<Thread> pressure = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pressure.add(started(() -> {
                // 12 MB kept at most: every collection (the gc thread forces them back to back) is
                // then short, so the launches meet many more of them; 128 MB made each full GC
                // take ~0.2 s, the launches waiting on it (33 s of the suite for this test)
                List<byte[]> keep = new ArrayList<>();
                while (churn.get()) {
                    keep.add(new byte[64 * 1024]);
                    if (keep.size() > 200) {
                        keep.clear();
                    }
                }
            }));
        }
        pressure.add(started(() -> {
            while (churn.get()) {
                System.gc();
            }
        }));

        AtomicInteger wrong = new AtomicInteger();
        try (Isola isola = runtime()) {
            ExecutorService launchers = Executors.newFixedThreadPool(LAUNCHERS);
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < LAUNCHES; i++) {
                results.add(launchers.submit(() -> {
                    Outcome outcome = Outcome.of(
                            isola, ContainerSpec.builder("sh", "-c", "echo $$").build());
                    if (outcome.status().exitCode() != 0 || !outcome.out().equals("1\n")) {
                        wrong.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS); // a hang fails here instead of blocking the build
            }
            launchers.shutdown();
            assertTrue(launchers.awaitTermination(10, TimeUnit.SECONDS));
            assertEquals(List.of(), fdsBefore.leaked(), "fds left open after " + LAUNCHES + " launches");
        } finally {
            churn.set(false);
            for (Thread thread : pressure) {
                thread.join();
            }
        }
        assertEquals(0, wrong.get(), "launches with a wrong exit status or output");
        assertEquals(nativeBefore, NativeMemory.liveBytes(), "native memory still allocated after close");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (HostState.threads() > threadsBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(
                HostState.threads() <= threadsBefore,
                "threads: " + threadsBefore + " before, " + HostState.threads() + " after");
    }
}
