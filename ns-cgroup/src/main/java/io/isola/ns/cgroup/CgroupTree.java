package io.isola.ns.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating and removing one container's directory, {@code <parent>/<id>}, in one hierarchy.
 *
 * <p>Parents are created on demand and removed again when the last container leaves them, so no
 * {@code isola} directory outlives its containers. Another container may remove a parent between
 * our mkdir of it and of our leaf (ENOENT): creation starts again, a bounded number of times.
 */
final class CgroupTree {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupTree.class);
    private static final int ATTEMPTS = 5;

    /**
     * What a driver does to the directories on the way, before creating anything below them:
     * called for every parent, whether this call made it or found it (another container starting
     * at the same time may have made it and not yet initialised it), and for the leaf.
     */
    interface Initializer {
        void init(Path dir, Path parent, boolean leaf) throws IOException;
    }

    private CgroupTree() {}

    /** Creates {@code root/path}, running {@code init} on every directory on the way to it. */
    static Path create(Path root, String path, Initializer init) throws IOException {
        Path leaf = root.resolve(path);
        for (int attempt = 1; ; attempt++) {
            try {
                Path dir = root;
                for (Path segment : root.relativize(leaf)) {
                    Path parent = dir;
                    dir = dir.resolve(segment);
                    boolean isLeaf = dir.equals(leaf);
                    boolean created = CgroupFiles.mkdir(dir);
                    if (!created && isLeaf) {
                        reuseStale(dir);
                    }
                    init.init(dir, parent, isLeaf);
                }
                return leaf;
            } catch (NoSuchFileException e) {
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
            throw new IOException("cgroup " + dir + " already exists and holds processes: is a container with this id running?");
        }
        LOG.warn("reusing the empty cgroup {} left behind by an earlier run", dir);
    }

    /** Removes {@code root/path} and then its parents up to {@code root} while they are empty. */
    static boolean remove(Path root, String path) {
        Path leaf = root.resolve(path);
        boolean gone = false;
        for (int attempt = 0; attempt < 50 && !(gone = CgroupFiles.rmdir(leaf)); attempt++) {
            // EBUSY while the last killed processes are still being torn down
            sleep(10);
        }
        if (!gone) {
            LOG.warn("cannot remove cgroup {}", leaf);
            return false;
        }
        List<Path> parents = new ArrayList<>();
        for (Path p = leaf.getParent(); p != null && !p.equals(root) && p.startsWith(root); p = p.getParent()) {
            parents.add(p);
        }
        for (Path parent : parents) {
            if (!Files.isDirectory(parent) || !CgroupFiles.rmdir(parent)) {
                break; // still holds other containers
            }
        }
        return true;
    }

    /** The names of the directories in {@code dir}; none when it does not exist. */
    static List<String> subdirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
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
