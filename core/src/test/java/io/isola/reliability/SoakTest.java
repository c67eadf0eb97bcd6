package io.isola.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Security;
import io.isola.internal.chain.ExpectedRecord;
import io.isola.internal.launch.LaunchProbe;
import io.isola.testing.TestRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The long run, on demand: {@code mvn -pl core test -Dtest=SoakTest -Disola.soak.minutes=30}.
 * Four threads start containers for the given time, mixing plain runs, lock-down variants,
 * children killed at a random step and rejected specs; at the end nothing may be left and no start
 * may have failed unexpectedly.
 */
class SoakTest {

    private static final int MINUTES = Integer.getInteger("isola.soak.minutes", 0);
    private static final long SAMPLE_NANOS = TimeUnit.MINUTES.toNanos(2);

    @AfterEach
    void noProbe() {
        LaunchProbe.set(null);
    }

    @Test
    @Timeout(
            value = 3,
            unit = TimeUnit.HOURS) // the run bounds itself by isola.soak.minutes; the suite's 90 s default would cut it
    void soak() throws Exception {
        assumeTrue(MINUTES > 0, "the soak runs on demand only: -Disola.soak.minutes=N");
        AtomicInteger runs = new AtomicInteger(),
                killed = new AtomicInteger(),
                rejected = new AtomicInteger(),
                unexpected = new AtomicInteger();
        List<Security> variants = List.of(
                Security.defaults(),
                Security.builder().capDrop("ALL").build(),
                Security.builder().privileged(true).build(),
                Security.builder().securityOpt("no-new-privileges=false").build());
        ThreadLocal<Integer> killAt = new ThreadLocal<>();
        LaunchProbe.set((pid, index, record) -> {
            Integer at = killAt.get();
            if (at != null && index == at && record.kind() != ExpectedRecord.Kind.EXEC) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        });
        try (Isola warmUp = TestRuntimes.full()) { // loads the native layer, whose library handles stay open
            warmUp.run(ContainerSpec.builder("true").build());
        }
        // Compared after the runtime closed: while it runs, it keeps one idle cloning thread (with
        // its native stack and arena) per concurrent start for 10 s, which is a pool, not a leak.
        Leftovers before = Leftovers.now();
        System.out.println("soak: start " + sample(before));
        try (Isola isola = TestRuntimes.full()) {
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(MINUTES);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean sampler = t == 0;
                workers.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    long nextSample = System.nanoTime() + SAMPLE_NANOS;
                    while (System.nanoTime() < end) {
                        if (sampler && System.nanoTime() > nextSample) { // a trend, not only two points
                            nextSample += SAMPLE_NANOS;
                            System.out.printf(
                                    "soak: %d runs, %d killed, %d unexpected, %s%n",
                                    runs.get(), killed.get(), unexpected.get(), sample(Leftovers.now()));
                        }
                        int kind = random.nextInt(10);
                        try {
                            if (kind == 0) {
                                killAt.set(random.nextInt(60));
                                try (Container c = isola.start(
                                        ContainerSpec.builder("true").build())) {
                                    c.waitFor();
                                } catch (IsolaException expected) {
                                    killed.incrementAndGet();
                                } finally {
                                    killAt.remove();
                                }
                            } else if (kind == 1) {
                                try {
                                    isola.run(ContainerSpec.builder("true")
                                            .with(Security.builder()
                                                    .ulimit("nofile=x")
                                                    .build())
                                            .build());
                                    unexpected.incrementAndGet();
                                } catch (IllegalArgumentException expected) {
                                    rejected.incrementAndGet();
                                }
                            } else {
                                Security security = variants.get(random.nextInt(variants.size()));
                                if (isola.run(ContainerSpec.builder("true")
                                                        .with(security)
                                                        .build())
                                                .exitCode()
                                        != 0) {
                                    unexpected.incrementAndGet();
                                }
                                runs.incrementAndGet();
                            }
                        } catch (Exception e) {
                            unexpected.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(MINUTES + 5L, TimeUnit.MINUTES);
            }
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            System.out.println("soak: end of the run " + sample(Leftovers.now()));
        }
        List<String> left = Leftovers.now().since(before);
        System.out.println("soak: runtime closed " + sample(Leftovers.now()));
        System.out.printf(
                "soak: %d minutes, %d runs, %d children killed, %d specs rejected, %d unexpected, left %s%n",
                MINUTES, runs.get(), killed.get(), rejected.get(), unexpected.get(), left);
        assertEquals(0, unexpected.get());
        assertEquals(List.of(), left);
    }

    private static String sample(Leftovers state) throws Exception {
        return String.format(
                "fds=%d threads=%d nativeBytes=%d children=%d rssKiB=%d",
                state.fds().count(), state.threads(), state.nativeBytes(), state.children(), rssKiB());
    }

    private static long rssKiB() throws Exception {
        try (var in = Files.newInputStream(Path.of("/proc/self/status"))) {
            for (String line : new String(in.readAllBytes(), UTF_8).split("\n")) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return -1;
    }
}
