package io.isola.launcher.image;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The layers of one pull, fetched side by side, at most {@link #AT_ONCE} at a time (Docker's
 * default max-concurrent-downloads): one layer's digests, decompression and files are worked on
 * while another's bytes arrive, so a pull is not one core's work. The first failure is thrown and
 * the other fetches are interrupted; {@link #close} returns only once none runs any more, so that
 * the caller may then delete the scratch they write into.
 */
final class LayerFetches implements AutoCloseable {

    static final int AT_ONCE = 3;
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** One layer's fetch; returns the bytes of its files. */
    interface Fetch {
        long run() throws IOException;
    }

    private final ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE, task -> {
        Thread thread = new Thread(task, "isola-pull-" + THREADS.incrementAndGet());
        thread.setDaemon(true); // a pull that failed never holds the JVM up
        return thread;
    });
    private final CompletionService<Long> done = new ExecutorCompletionService<>(pool);
    private final Map<String, Future<Long>> byDiffId = new LinkedHashMap<>();

    /** Starts fetching the layer {@code diffId} unless it is started already (a layer listed twice is fetched once). */
    void start(String diffId, Fetch fetch) {
        byDiffId.computeIfAbsent(
                diffId,
                id -> done.submit(() -> {
                    try {
                        return fetch.run();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
    }

    /** Waits for every fetch started; returns the bytes of each layer's files by diff id, or throws the first failure. */
    Map<String, Long> await() throws IOException {
        try {
            for (int i = 0; i < byDiffId.size(); i++) {
                done.take().get();
            }
            Map<String, Long> sizes = new LinkedHashMap<>();
            for (Map.Entry<String, Future<Long>> fetch : byDiffId.entrySet()) {
                sizes.put(fetch.getKey(), fetch.getValue().get());
            }
            return sizes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the pull was interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    /** Interrupts what still runs and waits for it to stop (a fetch reading the network stops at its next read). */
    @Override
    public void close() throws IOException {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new IOException("a layer's fetch did not stop within 60 s of being interrupted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the layers' fetches stopped");
        }
    }
}
