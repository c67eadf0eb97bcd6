package io.isola.reliability;

import io.isola.internal.chain.CloneThreads;
import io.isola.internal.nativ.NativeMemory;
import io.isola.testing.HostState;
import io.isola.testing.OpenFds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a start may leave behind in this JVM and on the host: fds, threads, native memory, child
 * processes and mounts. Taken before a case and compared after it, with a bounded moment for
 * threads to end and fds to settle.
 */
record Leftovers(OpenFds fds, long threads, long nativeBytes, long children, Set<String> mounts) {

    static Leftovers now() throws Exception {
        // the cloning threads' arenas are counted with the threads that hold them
        return new Leftovers(
                OpenFds.now(),
                HostState.threads(),
                NativeMemory.liveBytes() - CloneThreads.cachedNativeBytes(),
                ProcessHandle.current()
                        .children()
                        .filter(ProcessHandle::isAlive)
                        .count(),
                mountPoints());
    }

    /**
     * The mount points of the host's table that a container's setup could leak: {@code /},
     * {@code /proc} and test directories. Other sessions on this host mount and unmount elsewhere
     * meanwhile, so the whole table is not compared.
     */
    static Set<String> mountPoints() throws Exception {
        Set<String> points = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            String point = fields[4];
            if (point.equals("/") || point.startsWith("/proc") || point.startsWith("/tmp/junit")) {
                points.add(fields[0] + " " + point); // the mount id tells a new mount from an old one at the same place
            }
        }
        return points;
    }

    /** What is left behind compared with {@code before}; empty when nothing is. */
    List<String> since(Leftovers before) throws Exception {
        Leftovers after = this;
        long deadline = System.nanoTime() + 5_000_000_000L;
        // threads end and children are reaped a moment later (fds: OpenFds.leaked waits for its own)
        while ((after.threads > before.threads || after.children > before.children) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            after = now();
        }
        List<String> left = new ArrayList<>();
        List<String> fds = before.fds.leaked();
        if (!fds.isEmpty()) {
            left.add("fds " + fds);
        }
        if (after.threads > before.threads) {
            left.add((after.threads - before.threads) + " threads");
        }
        if (after.nativeBytes > before.nativeBytes) {
            left.add((after.nativeBytes - before.nativeBytes) + " bytes of native memory");
        }
        if (after.children > before.children) {
            left.add((after.children - before.children) + " processes");
        }
        Set<String> added = new HashSet<>(after.mounts);
        added.removeAll(before.mounts);
        if (!added.isEmpty()) {
            left.add("mounts " + added);
        }
        return left;
    }
}
