package io.isola.bench;

import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Filesystem;
import io.isola.api.IdMapping;
import io.isola.api.Isola;
import io.isola.api.Network;
import io.isola.api.Resources;
import io.isola.api.UserNamespace;
import io.isola.spi.NamespaceIsolator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Start-to-exit latency of {@code /bin/true} through the embedded API, in new UTS, IPC, PID and
 * mount namespaces, plus what a {@code --variant} adds: {@code userns} (a user namespace mapping
 * root to host ids {@value #USERNS_HOST_ID}..+65535, as bench/run gives crun and runc), {@code limits} (a
 * 64 MiB memory and 64 pids limit in a cgroup), {@code net-none} (a network namespace with lo up)
 * or {@code net-bridge} (the default bridge network through CNI); run by {@code bench/run}, never
 * by the test suite.
 *
 * <pre>
 * java -cp 'dist/target/isola/lib/*:dist/target/isola/bundles/isola-ns-*.jar' \
 *     io.isola.bench.LaunchBench RUNS WARMUP [--touch-heap-mb N] [--rootfs DIR] [--label L]
 *     [--samples FILE] [--variant base|userns|limits|net-none|net-bridge]
 * </pre>
 *
 * <p>Each launch is timed with {@link System#nanoTime()} around {@link Isola#run}: clone, the
 * child's setup chain, exec, exit and reaping. With {@code --touch-heap-mb N} the harness first
 * allocates N MiB of heap, writes every byte and keeps it reachable until the end, so the launch
 * pays whatever a large, dirty JVM costs it. Prints one machine-readable line (times in ms):
 *
 * <pre>
 * LABEL runs=N min=MS median=MS p99=MS mean=MS init=MS touched_mb=N rss_mb=N rootfs=host|DIR ...
 * </pre>
 *
 * <p>With {@code --samples FILE} every measured time is also appended to FILE, one per line in
 * ms, so that {@code bench/run} can pool the samples of several rounds.
 *
 * <p>Exits 1 when any launch does not exit 0, or when the sanity check (the command is PID 1)
 * fails.
 */
public final class LaunchBench {

    private static final Set<String> ISOLATORS = Set.of("uts", "ipc", "pid", "mount");
    /** The first host id that container root maps to in the userns variant; bench/run maps crun's and runc's alike. */
    static final long USERNS_HOST_ID = 3_100_000;
    /** Below G1's humongous threshold for heaps up to 4 GB (half of a 2 MiB region). */
    private static final int CHUNK = 512 * 1024;

    /** The touched heap: static, so it stays reachable while the launches are measured. */
    private static byte[][] ballast = new byte[0][];

    private LaunchBench() {}

    public static void main(String[] args) throws Exception {
        int runs = -1;
        int warmup = -1;
        int touchMb = 0;
        String rootfs = null;
        String label = "isola-embedded";
        Path samples = null;
        String variant = "base";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--touch-heap-mb" -> touchMb = Integer.parseInt(value(args, ++i));
                case "--rootfs" -> rootfs = value(args, ++i);
                case "--label" -> label = value(args, ++i);
                case "--samples" -> samples = Path.of(value(args, ++i));
                case "--variant" -> variant = value(args, ++i);
                default -> {
                    if (runs < 0) {
                        runs = Integer.parseInt(args[i]);
                    } else if (warmup < 0) {
                        warmup = Integer.parseInt(args[i]);
                    } else {
                        usage("unexpected argument " + args[i]);
                    }
                }
            }
        }
        if (runs < 1 || warmup < 0 || touchMb < 0) {
            usage("RUNS >= 1 and WARMUP >= 0 are required");
        }

        long checksum = touchHeap(touchMb);

        long t0 = System.nanoTime();
        try (Isola isola = Isola.fromServiceLoader()) {
            double initMs = (System.nanoTime() - t0) / 1e6;
            Set<String> isolators = new HashSet<>(ISOLATORS);
            List<Object> extensions = new ArrayList<>();
            variant(variant, isolators, extensions);
            List<String> found =
                    isola.isolators().stream().map(NamespaceIsolator::name).collect(Collectors.toList());
            if (!found.containsAll(isolators)) {
                fail("isolators found on the class path: " + found + ", need " + isolators);
            }
            if (rootfs != null) {
                extensions.add(Filesystem.builder().rootfs(rootfs).build());
            }

            ContainerSpec.Builder check =
                    ContainerSpec.builder("/bin/sh", "-c", "[ $$ -eq 1 ]").isolators(isolators);
            ContainerSpec.Builder bench = ContainerSpec.builder("/bin/true").isolators(isolators);
            extensions.forEach(extension -> {
                check.with(extension);
                bench.with(extension);
            });
            String where = rootfs != null ? rootfs : "host";
            ExitStatus st = isola.run(check.build());
            if (st.shellCode() != 0) {
                fail("sanity check: the container's command is not PID 1 (" + st + ")");
            }

            ContainerSpec spec = bench.build();
            for (int i = 0; i < warmup; i++) {
                launch(isola, spec);
            }
            double[] ms = new double[runs];
            for (int i = 0; i < runs; i++) {
                ms[i] = launch(isola, spec) / 1e6;
            }
            if (samples != null) {
                StringBuilder lines = new StringBuilder();
                for (double v : ms) {
                    lines.append(String.format(Locale.ROOT, "%.4f%n", v));
                }
                Files.writeString(samples, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            Arrays.sort(ms);

            checksum += ballastChecksum();
            System.out.printf(
                    Locale.ROOT,
                    "%s runs=%d min=%.3f median=%.3f p99=%.3f mean=%.3f init=%.1f touched_mb=%d rss_mb=%d rootfs=%s"
                            + " heap_max_mb=%d checksum=%d variant=%s%n",
                    label,
                    runs,
                    ms[0],
                    median(ms),
                    percentile(ms, 0.99),
                    Arrays.stream(ms).average().orElse(0),
                    initMs,
                    touchMb,
                    rssMb(),
                    where,
                    Runtime.getRuntime().maxMemory() >> 20,
                    checksum,
                    variant);
        }
    }

    /** One launch, start to exit including reaping, in nanoseconds. */
    private static long launch(Isola isola, ContainerSpec spec) throws InterruptedException {
        long start = System.nanoTime();
        ExitStatus st = isola.run(spec);
        long elapsed = System.nanoTime() - start;
        if (st.shellCode() != 0) {
            fail("/bin/true " + st);
        }
        return elapsed;
    }

    /** Allocates {@code mb} MiB in chunks, writes every byte, keeps them reachable; returns a checksum. */
    private static long touchHeap(int mb) {
        int chunks = (int) ((long) mb * 1024 * 1024 / CHUNK);
        ballast = new byte[chunks][];
        for (int i = 0; i < chunks; i++) {
            byte[] b = new byte[CHUNK];
            Arrays.fill(b, (byte) (i | 1));
            ballast[i] = b;
        }
        if (chunks > 0) {
            System.gc(); // settle promotion now, not during the measurement
        }
        return ballastChecksum();
    }

    private static long ballastChecksum() {
        long sum = 0;
        for (byte[] b : ballast) {
            sum += (b[0] & 0xff) + (b[b.length - 1] & 0xff);
        }
        return sum;
    }

    /** Adds the isolators and spec extensions of {@code variant} (see the class comment). */
    private static void variant(String variant, Set<String> isolators, List<Object> extensions) {
        switch (variant) {
            case "base" -> {}
            case "userns" -> {
                isolators.add("user");
                List<IdMapping> map = List.of(new IdMapping(0, USERNS_HOST_ID, 65536));
                extensions.add(UserNamespace.of(map, map));
            }
            case "limits" -> {
                isolators.add("cgroup");
                extensions.add(Resources.builder().memory("64m").pidsLimit(64).build());
            }
            case "net-none" -> {
                isolators.add("net");
                extensions.add(Network.none());
            }
            case "net-bridge" -> {
                isolators.add("net");
                extensions.add(Network.bridge());
            }
            default -> usage("--variant " + variant + ": expected base, userns, limits, net-none or net-bridge");
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Nearest-rank percentile, as bench/timeit.py computes it. */
    private static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static long rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
            }
        }
        return -1;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println("LaunchBench: " + problem);
        System.err.println("usage: LaunchBench RUNS WARMUP [--touch-heap-mb N] [--rootfs DIR] [--label LABEL]"
                + " [--samples FILE] [--variant base|userns|limits|net-none|net-bridge]");
        System.exit(2);
    }

    private static void fail(String message) {
        System.err.println("LaunchBench: " + message);
        System.exit(1);
    }
}
