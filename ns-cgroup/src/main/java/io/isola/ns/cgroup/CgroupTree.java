package io.isola.ns.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating and removing one container's directory, {@code <parent>/<id>}, in one hierarchy.
 *
 * <p>Parents are created on first use and kept, as Docker keeps its {@code docker} parent: made
 * again for every container (with v1's cpuset of each), they were most of what a container's
 * cgroup cost to prepare. Which parents this process made or found ready is remembered in a
 * {@link Parents}, so a later container neither makes nor initialises them again. Someone may
 * still remove a parent (an administrator, an earlier isola that removed it with its last
 * container) between our look and our mkdir of the leaf (ENOENT): creation starts again, with
 * nothing remembered, a bounded number of times.
 */
final class CgroupTree {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupTree.class);
    private static final int ATTEMPTS = 5;

    /** The parent directories this process has made or found and initialised, in any hierarchy. */
    static final class Parents {
        private final Set<Path> ready = ConcurrentHashMap.newKeySet();

        boolean isReady(Path dir) {
            return ready.contains(dir);
        }

        void ready(Path dir) {
            ready.add(dir);
        }

        void forget() {
            ready.clear();
        }
    }

    /**
     * What a driver does to the directories on the way, before creating anything below them:
     * called for every parent, whether this call made it or found it (another container starting
     * at the same time may have made it and not yet initialised it), and for the leaf.
     */
    interface Initializer {
        void init(Path dir, Path parent, boolean leaf) throws IOException;
    }

    private CgroupTree() {}

    /**
     * Creates {@code root/path}, running {@code init} on every directory on the way to it that
     * {@code parents} does not know as ready, and on the leaf.
     */
    static Path create(Path root, String path, Parents parents, Initializer init) throws IOException {
        Path leaf = root.resolve(path);
        for (int attempt = 1; ; attempt++) {
            try {
                Path dir = root;
                for (Path segment : root.relativize(leaf)) {
                    Path parent = dir;
                    dir = dir.resolve(segment);
                    boolean isLeaf = dir.equals(leaf);
                    if (!isLeaf && parents.isReady(dir)) {
                        continue;
                    }
                    boolean created = CgroupFiles.mkdir(dir);
                    if (!created && isLeaf) {
                        reuseStale(dir);
                    }
                    init.init(dir, parent, isLeaf);
                    if (!isLeaf) {
                        parents.ready(dir);
                    }
                }
                return leaf;
            } catch (NoSuchFileException e) {
                parents.forget();
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                LOG.debug("a parent of {} went away while creating it; again", leaf);
            }
        }
    }

    /** A leaf left by a host that died: reuse it when empty, refuse when it still holds processes. */
    private static void reuseStale(Path dir) throws IOException {
        if (!CgroupFiles.readPids(dir.resolve("cgroup.procs")).isEmpty()) {
            throw new IOException(
                    "cgroup " + dir + " already exists and holds processes: is a container with this id running?");
        }
        LOG.warn("reusing the empty cgroup {} left behind by an earlier run", dir);
    }

    /** Removes {@code root/path}; its parents stay for the next container. */
    static boolean remove(Path root, String path) {
        Path leaf = root.resolve(path);
        boolean gone = false;
        for (int attempt = 0; attempt < 50 && !(gone = CgroupFiles.rmdir(leaf)); attempt++) {
            // EBUSY while the last killed processes are still being torn down
            sleep(10);
        }
        if (!gone) {
            LOG.warn("cannot remove cgroup {}", leaf);
        }
        return gone;
    }

    /** The names of the directories in {@code dir}; none when it does not exist. */
    static List<String> subdirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** cgroup.kill (Linux 5.14): SIGKILL to every process of a cgroup2 cgroup, in one write. */
    static void killAtOnce(Path dir) {
        Path kill = dir.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            try {
                CgroupFiles.write(kill, "1");
            } catch (IOException e) {
                // the per-pid kill that follows still empties the cgroup
            }
        }
    }
}
