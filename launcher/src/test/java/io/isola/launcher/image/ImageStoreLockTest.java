package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.lifecycle.LockFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Threads of one JVM (the resident server's commands) take the store's lock in turn: a second
 * thread waits for it instead of failing with OverlappingFileLockException.
 */
class ImageStoreLockTest {

    @TempDir
    Path tmp;

    @Test
    void threadsOfOneJvmTakeTheStoreLockInTurn() throws Exception {
        ImageStore store = new ImageStore(tmp.resolve("store"));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                done.add(threads.submit(() -> {
                    try (LockFile lock = store.lock()) {
                        if (inside.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.sleep(2);
                        inside.decrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> result : done) {
                result.get(30, TimeUnit.SECONDS); // an OverlappingFileLockException fails here
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, overlaps.get(), "holders at once");
        try (LockFile again = store.lock()) { // released by every holder: free again
            assertEquals(true, again.isValid());
        }
    }
}
