package io.isola.example.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Stdio;
import io.isola.launcher.IsolaRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An application embedding isola: it starts the runtime (Felix and the isolator bundles inside),
 * runs many short containers a few at a time, and collects each one's output and status.
 *
 * <pre>
 * java -cp 'isola/lib/*:embedded-app.jar' io.isola.example.embedded.ParallelContainers isola/bundles 200 8
 * </pre>
 */
public final class ParallelContainers {

    /** What one container printed and how it ended. */
    public record Result(int index, String stdout, ExitStatus status) {}

    private ParallelContainers() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ParallelContainers BUNDLE_DIR COUNT PARALLELISM");
            System.exit(2);
        }
        try (IsolaRuntime isola = IsolaRuntime.withBundles(Path.of(args[0])).start()) {
            List<Result> results = run(isola, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            long ok = results.stream().filter(r -> r.status().equals(ExitStatus.exited(0))).count();
            System.out.println(results.size() + " containers, " + ok + " exited 0");
        }
    }

    /** Runs {@code count} containers, {@code parallelism} at a time; returns their results in order. */
    public static List<Result> run(IsolaRuntime isola, int count, int parallelism) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> runOne(isola, index)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Result runOne(IsolaRuntime isola, int index) throws Exception {
        ContainerSpec spec = ContainerSpec.builder("sh", "-c", "echo container-$INDEX pid $$ host $(hostname)")
                .env("INDEX", Integer.toString(index))
                .hostname("c" + index)
                .stdout(Stdio.PIPE)
                .build();
        try (Container container = isola.start(spec)) {
            // read to EOF before waiting: a full pipe would block the container
            String out = new String(container.stdout().readAllBytes(), UTF_8);
            return new Result(index, out, container.waitFor());
        }
    }
}
