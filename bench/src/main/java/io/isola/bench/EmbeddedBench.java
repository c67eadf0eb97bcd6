package io.isola.bench;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.launcher.framework.FelixRuntime;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ObjectName;

/**
 * The embedded API's side of bench/run's throughput, memory and scaling sections; run by
 * {@code bench/run}, never by the test suite. Each mode prints one JSON object on stdout.
 *
 * <pre>
 * EmbeddedBench tput  TOTAL IN_FLIGHT      containers/s of /bin/true, IN_FLIGHT threads sharing TOTAL
 * EmbeddedBench mem   N                    this JVM's RSS and PSS with N "sleep" containers running
 * EmbeddedBench scale N BUNDLE_DIR         latency of container 1..N of one runtime, with this
 *                                          JVM's fds, threads and native memory (NMT) along the way,
 *                                          and the time Felix takes to start with every bundle
 * </pre>
 *
 * Containers get new UTS, IPC, PID and mount namespaces and see the host's root (core has no
 * rootfs option yet); isolators come from the class path (ServiceLoader), as in LaunchBench.
 */
public final class EmbeddedBench {

    private static final Set<String> ISOLATORS = Set.of("uts", "ipc", "pid", "mount");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern NMT_OTHER = Pattern.compile("- +Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private EmbeddedBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        switch (args[0]) {
            case "tput" -> throughput(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "mem" -> memory(Integer.parseInt(args[1]));
            case "scale" -> scaling(Integer.parseInt(args[1]), Path.of(args[2]));
            default -> usage();
        }
    }

    private static void throughput(int total, int inFlight) throws Exception {
        ContainerSpec spec =
                ContainerSpec.builder("/bin/true").isolators(ISOLATORS).build();
        try (Isola isola = Isola.fromServiceLoader()) {
            for (int i = 0; i < 10; i++) {
                check(isola.run(spec)); // warm-up: jnr-ffi, the clone threads
            }
            AtomicInteger left = new AtomicInteger(total);
            ExecutorService pool = Executors.newFixedThreadPool(inFlight);
            long start = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < inFlight; t++) {
                workers.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        check(isola.run(spec));
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            System.out.printf(
                    Locale.ROOT,
                    "{\"total\": %d, \"in_flight\": %d, \"seconds\": %.3f, \"per_second\": %.2f}%n",
                    total,
                    inFlight,
                    seconds,
                    total / seconds);
        }
    }

    private static void memory(int n) throws Exception {
        ContainerSpec spec =
                ContainerSpec.builder("sleep", "600").isolators(ISOLATORS).build();
        try (Isola isola = Isola.fromServiceLoader()) {
            check(isola.run(
                    ContainerSpec.builder("/bin/true").isolators(ISOLATORS).build()));
            System.gc();
            long[] before = smapsRollup();
            List<Container> running = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    running.add(isola.start(spec));
                }
                Thread.sleep(500); // let the containers settle in sleep(1)
                long[] with = smapsRollup();
                System.out.printf(
                        Locale.ROOT,
                        "{\"containers\": %d, \"rss_kb\": %d, \"pss_kb\": %d, \"rss_kb_before\": %d, \"pss_kb_before\": %d,"
                                + " \"threads\": %d, \"fds\": %d}%n",
                        n,
                        with[0],
                        with[1],
                        before[0],
                        before[1],
                        threads(),
                        fds());
            } finally {
                for (Container c : running) {
                    c.kill(9);
                }
                for (Container c : running) {
                    c.waitFor();
                    c.close();
                }
            }
        }
    }

    private static void scaling(int n, Path bundles) throws Exception {
        long t0 = System.nanoTime();
        try (FelixRuntime felix = FelixRuntime.start(bundles)) {
            felix.requireIsolators(ISOLATORS, Duration.ofSeconds(10));
            double felixMs = (System.nanoTime() - t0) / 1e6;
            try (Isola isola = Isola.builder()
                    .isolatorSource(felix.isolators())
                    .defaultIsolators(ISOLATORS)
                    .build()) {
                ContainerSpec spec = ContainerSpec.builder("/bin/true").build();
                double[] ms = new double[n];
                StringBuilder points = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    long s = System.nanoTime();
                    check(isola.run(spec));
                    ms[i] = (System.nanoTime() - s) / 1e6;
                    int k = i + 1;
                    if (k == 1 || k == 10 || k == 100 || k % 250 == 0 || k == n) {
                        long[] nmt = nativeMemory();
                        long[] mem = smapsRollup();
                        points.append(points.length() == 0 ? "" : ", ")
                                .append(String.format(
                                        Locale.ROOT,
                                        "{\"container\": %d, \"fds\": %d, \"threads\": %d, \"nmt_committed_kb\": %d,"
                                                + " \"nmt_other_kb\": %d, \"rss_kb\": %d}",
                                        k,
                                        fds(),
                                        threads(),
                                        nmt[0],
                                        nmt[1],
                                        mem[0]));
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "{\"containers\": %d, \"felix_start_ms\": %.1f, \"first_ms\": %.3f, \"tenth_ms\": %.3f,"
                                + " \"median_2_to_11_ms\": %.3f, \"median_last_10_ms\": %.3f, \"last_ms\": %.3f,"
                                + " \"median_all_ms\": %.3f, \"samples_ms\": %s, \"points\": [%s]}%n",
                        n,
                        felixMs,
                        ms[0],
                        ms[Math.min(9, n - 1)],
                        median(Arrays.copyOfRange(ms, 1, Math.min(11, n))),
                        median(Arrays.copyOfRange(ms, Math.max(0, n - 10), n)),
                        ms[n - 1],
                        median(ms.clone()),
                        Arrays.toString(ms),
                        points);
            }
        }
    }

    private static void check(ExitStatus status) {
        if (status.shellCode() != 0) {
            throw new IllegalStateException("container " + status);
        }
    }

    private static double median(double[] v) {
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** RSS and PSS of this JVM in KiB. */
    private static long[] smapsRollup() throws IOException {
        long rss = -1;
        long pss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("Rss:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("Pss:")) {
                pss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new long[] {rss, pss};
    }

    /**
     * NMT's total and "Other" (Unsafe.allocateMemory, where direct native memory lands) committed
     * KiB; -1 without -XX:NativeMemoryTracking=summary.
     */
    private static long[] nativeMemory() {
        try {
            String out = (String) ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "vmNativeMemory",
                            new Object[] {new String[] {"summary"}},
                            new String[] {String[].class.getName()});
            Matcher total = NMT_TOTAL.matcher(out);
            Matcher other = NMT_OTHER.matcher(out);
            return new long[] {
                total.find() ? Long.parseLong(total.group(2)) : -1, other.find() ? Long.parseLong(other.group(2)) : -1
            };
        } catch (Exception e) {
            return new long[] {-1, -1};
        }
    }

    private static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long threads() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return s.count();
        }
    }

    private static void usage() {
        System.err.println("usage: EmbeddedBench tput TOTAL IN_FLIGHT | mem N | scale N BUNDLE_DIR");
        System.exit(2);
    }
}
