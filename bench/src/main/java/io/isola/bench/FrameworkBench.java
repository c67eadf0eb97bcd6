package io.isola.bench;

import io.isola.launcher.IsolaRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Time to start the framework with every bundle of a distribution (Felix, SCR, ConfigAdmin,
 * FileInstall, the isolators, with conf/) until the isolators are registered, and to stop it. Run
 * by {@code bench/framework}, never by the test suite.
 *
 * <pre>
 * java -cp 'dist/target/isola/lib/*' io.isola.bench.FrameworkBench BUNDLES CONF RUNS [CACHE]
 * </pre>
 *
 * <p>Without CACHE every start gets a new, empty bundle cache (cold); with CACHE the same kept
 * cache is reused (warm: bundles are not copied and their metadata is read back). The first start
 * in the JVM is printed apart: it is what a CLI pays, class loading included. Prints one line:
 *
 * <pre>
 * LABEL first=MS runs=N min=MS median=MS max=MS stop_median=MS
 * </pre>
 */
public final class FrameworkBench {

    private static final Set<String> BUILT_IN = Set.of("uts", "ipc", "pid", "mount");

    private FrameworkBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: FrameworkBench BUNDLES CONF RUNS [CACHE]");
            System.exit(2);
        }
        Path bundles = Path.of(args[0]);
        Path conf = Path.of(args[1]);
        int runs = Integer.parseInt(args[2]);
        Path cache = args.length > 3 ? Path.of(args[3]) : null;
        double first = 0;
        double[] starts = new double[runs];
        double[] stops = new double[runs];
        for (int i = -1; i < runs; i++) {
            long t0 = System.nanoTime();
            IsolaRuntime isola = IsolaRuntime.withBundles(bundles)
                    .config(conf)
                    .plugins(null)
                    .cache(cache)
                    .start();
            if (!isola.awaitIsolators(names -> names.containsAll(BUILT_IN), Duration.ofSeconds(30))) {
                throw new IllegalStateException("the isolators did not register: " + isola.defaultIsolators());
            }
            long t1 = System.nanoTime();
            isola.close();
            long t2 = System.nanoTime();
            if (i < 0) {
                first = (t1 - t0) / 1e6;
            } else {
                starts[i] = (t1 - t0) / 1e6;
                stops[i] = (t2 - t1) / 1e6;
            }
        }
        Arrays.sort(starts);
        Arrays.sort(stops);
        System.out.println(String.format(
                Locale.ROOT,
                "%s first=%.1f runs=%d min=%.1f median=%.1f max=%.1f stop_median=%.1f",
                cache == null ? "cold-cache" : "warm-cache",
                first,
                runs,
                starts[0],
                starts[runs / 2],
                starts[runs - 1],
                stops[runs / 2]));
    }
}
