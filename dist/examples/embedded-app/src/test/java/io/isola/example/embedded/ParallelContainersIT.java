package io.isola.example.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.ExitStatus;
import io.isola.launcher.IsolaRuntime;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example application as it is meant to run: 200 containers, 8 at a time, in one runtime. */
class ParallelContainersIT {

    private static final Path BUNDLES = Path.of(System.getProperty("isola.bundles", "target/bundles"));
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    @Test
    void twoHundredContainersEightAtATimeEachOutputCollectedOnceAndNothingLeftBehind() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assumeTrue(uid == 0, "creating namespaces needs root; running as uid " + uid);
        // a first small cycle starts what lives once per JVM (class loading, jnr's cleaner thread)
        try (IsolaRuntime isola = IsolaRuntime.withBundles(BUNDLES).start()) {
            ParallelContainers.run(isola, 2, 2);
        }
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        Set<String> mountsBefore = ourMounts();
        Set<String> tmpBefore = tmpEntries();
        Map<Integer, String> fdsBefore = fds();

        List<ParallelContainers.Result> results;
        try (IsolaRuntime isola = IsolaRuntime.withBundles(BUNDLES).start()) {
            results = ParallelContainers.run(isola, 200, 8);
        }

        Map<String, Integer> seen = new HashMap<>();
        for (ParallelContainers.Result r : results) {
            assertEquals(ExitStatus.exited(0), r.status(), () -> "container " + r.index() + ": " + r.stdout());
            assertEquals("container-" + r.index() + " pid 1 host c" + r.index() + "\n", r.stdout());
            r.stdout().lines().forEach(line -> seen.merge(line, 1, Integer::sum));
        }
        assertEquals(200, seen.size());
        assertEquals(Set.of(1), Set.copyOf(seen.values()), "every line exactly once");

        assertEquals(Set.of(), waitForThreadsToEnd(threadsBefore));
        assertEquals(mountsBefore, ourMounts());
        assertEquals(tmpBefore, tmpEntries());
        Map<Integer, String> fdsAfter = fds();
        if (fdsAfter.size() != fdsBefore.size()) {
            String found = "fds opened: " + difference(fdsAfter, fdsBefore) + ", closed: "
                    + difference(fdsBefore, fdsAfter) + "; " + afterGc(fdsBefore);
            assertEquals(fdsBefore.size(), fdsAfter.size(), found);
        }
    }

    /**
     * Whether the difference outlives a collection: a descriptor only a Cleaner closes is a leak all
     * the same (the test fails either way), but this tells it apart from one nothing would close.
     */
    private static String afterGc(Map<Integer, String> before) throws Exception {
        Map<Integer, String> now = fds();
        for (int i = 0; i < 10 && now.size() != before.size(); i++) {
            System.gc();
            Thread.sleep(100);
            now = fds();
        }
        StringBuilder info = new StringBuilder("after System.gc(): opened " + difference(now, before));
        for (Integer fd : difference(now, before).keySet()) {
            // flags, and what a pidfd, eventfd, epoll or inotify descriptor is watching
            try {
                info.append("; fdinfo ").append(fd).append(": ")
                        .append(Files.readString(Path.of("/proc/self/fdinfo/" + fd)).replace('\n', ' '));
            } catch (NoSuchFileException closedMeanwhile) {
                info.append("; fd ").append(fd).append(" closed meanwhile");
            }
        }
        return info.toString();
    }

    private static Set<String> waitForThreadsToEnd(Set<Thread> before) throws InterruptedException {
        Set<String> left = Set.of();
        for (int i = 0; i < 250; i++) {
            left = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive())
                    .map(Thread::getName).collect(Collectors.toSet());
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(20);
        }
        return left;
    }

    /** Mounts that could be ours: others on this host (podman, other tests) come and go meanwhile. */
    private static Set<String> ourMounts() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(line -> line.contains("isola") || line.contains(" /proc ") || line.contains(" / "))
                .collect(Collectors.toSet());
    }

    /** This JVM's bundle caches (other processes on the host use the same temporary directory). */
    private static Set<String> tmpEntries() throws Exception {
        try (Stream<Path> files = Files.list(TMP)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("isola-felix-" + ProcessHandle.current().pid() + "-")).collect(Collectors.toSet());
        }
    }

    /** This JVM's open descriptors, each with what it refers to (a path, pipe:[ino], anon_inode:[pidfd], ...). */
    private static Map<Integer, String> fds() throws Exception {
        Map<Integer, String> open = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    open.put(Integer.valueOf(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (NoSuchFileException closedMeanwhile) {
                    // closed by another thread between the listing and the read: not open any more
                }
            }
        }
        return open;
    }

    /**
     * The descriptors of {@code a} beyond those {@code b} has to the same file, by number:
     * compared by target, not number, since one new descriptor moves the numbers of those opened
     * after it (the listing's own directory among them).
     */
    private static Map<Integer, String> difference(Map<Integer, String> a, Map<Integer, String> b) {
        Map<String, Long> left = b.values().stream().collect(Collectors.groupingBy(t -> t, Collectors.counting()));
        Map<Integer, String> extra = new TreeMap<>();
        a.forEach((fd, target) -> {
            if (left.merge(target, -1L, Long::sum) < 0) {
                extra.put(fd, target);
            }
        });
        return extra;
    }
}
