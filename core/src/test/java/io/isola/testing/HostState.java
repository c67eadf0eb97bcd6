package io.isola.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Readings of this JVM and host that tests compare before and after. */
public final class HostState {

    private HostState() {}

    /** The inode of this process's namespace link, as in {@code ls -l /proc/self/ns}: "uts:[4026531838]". */
    public static String namespaceOf(String procName) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns", procName)).toString();
    }

    public static long threads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> !startedByHotSpotOnDemand(task)).count();
        }
    }

    /**
     * HotSpot starts compiler and GC worker threads when load rises and ends them long after
     * (UseDynamicNumberOfCompilerThreads, UseDynamicNumberOfGCThreads, G1's lazily created
     * refinement threads), so a count that includes them grows under GC pressure with nothing of
     * ours leaked: a CI run failed so, one thread up after 500 launches under GC pressure.
     */
    private static boolean startedByHotSpotOnDemand(Path task) {
        try {
            String name = Files.readString(task.resolve("comm")).strip();
            return HOTSPOT_ON_DEMAND.matcher(name).matches();
        } catch (IOException gone) {
            return true; // the task ended while we listed: it is not there to count
        }
    }

    private static final Pattern HOTSPOT_ON_DEMAND =
            Pattern.compile("C[12] CompilerThre.*|GC Thread#\\d+|G1 Conc#\\d+|G1 Refine#\\d+");

    /** Whether a process with this pid exists (as anything but a zombie). */
    public static boolean alive(long pid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            return Files.readAllLines(status).stream()
                    .noneMatch(line -> line.startsWith("State:") && line.contains("Z"));
        } catch (NoSuchFileException gone) {
            return false;
        }
    }
}
