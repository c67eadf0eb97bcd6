package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.lifecycle.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections made at once to one container (two {@code network connect} commands of a resident
 * server's clients run on two of its threads) are all kept: none is lost between another's read
 * and its write of the container's file.
 */
class KeptConnectionsTest {

    private static final int THREADS = 8, EACH = 5;

    @TempDir
    Path root;

    @Test
    void concurrentConnectsToOneContainerAreAllKept() throws Exception {
        StateStore store = new StateStore(root);
        String id = "c".repeat(64);
        Files.createDirectory(store.dir(id));
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> connects = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                connects.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < EACH; i++) {
                        KeptConnections.add(store, id, new KeptConnections.Kept("net" + thread + "-" + i, null, null));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> connect : connects) {
                connect.get();
            }
        } finally {
            pool.shutdownNow();
        }

        Set<String> kept = KeptConnections.of(store, id).stream()
                .map(KeptConnections.Kept::network)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(THREADS * EACH, kept.size(), "kept: " + kept);
    }
}
