package io.isola.ns.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pays, in the background while a container is prepared and cloned, the wait that its join after
 * the clone would otherwise pay with the child waiting.
 *
 * <p>Every write of a pid to {@code cgroup.procs} or {@code tasks} takes the kernel's global
 * {@code cgroup_threadgroup_rwsem} for writing, and the first writer after a quiet spell waits
 * for an RCU grace period (rcu_sync): 5-40 ms on this 2-CPU host under load, while writers up to
 * about one grace period after the last one do not wait (0.03 ms). runc pays it in its join too;
 * crun avoids it with clone3's CLONE_INTO_CGROUP, which the clone chain cannot call. A thread
 * moving itself with "0" takes no such lock (so it starts nothing), but one naming its own tid
 * does: this thread writes its tid to the thread list of the cgroup it is in, a move that changes
 * nothing, and only after reading that list holds it, so a mount rooted elsewhere is left alone.
 * A thread, not the process: should the process move meanwhile, cgroup v2 refuses to move a
 * thread to another domain, and on v1 only this thread, about to end, would be left behind.
 */
final class MigrationLockWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(MigrationLockWarmup.class);
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private final Hierarchy hierarchy;
    private final AtomicBoolean running = new AtomicBoolean();

    MigrationLockWarmup(Hierarchy hierarchy) {
        this.hierarchy = hierarchy;
    }

    /** On the unified hierarchy where there is one (its thread moves are the ones v2 keeps in a domain), else the first v1 one. */
    static Optional<MigrationLockWarmup> of(List<Hierarchy> hierarchies) {
        return hierarchies.stream()
                .filter(Hierarchy::unified)
                .findFirst()
                .or(() -> hierarchies.stream().findFirst())
                .map(MigrationLockWarmup::new);
    }

    /** Starts a warm-up unless one runs; never fails: a container only waits longer without it. */
    Optional<Thread> start() {
        if (!running.compareAndSet(false, true)) {
            return Optional.empty();
        }
        try {
            Thread thread = new Thread(
                    () -> {
                        try {
                            moveInPlace();
                        } finally {
                            running.set(false);
                        }
                    },
                    "isola-cgroup-warmup");
            thread.setDaemon(true);
            thread.start();
            return Optional.of(thread);
        } catch (RuntimeException | OutOfMemoryError e) {
            running.set(false);
            return Optional.empty();
        }
    }

    /** Writes this thread's tid to its own cgroup's thread list; whether it did. */
    boolean moveInPlace() {
        try {
            String tid = Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
            Optional<Path> own = ownCgroup();
            if (own.isEmpty()) {
                return false;
            }
            Path threads = own.get().resolve(hierarchy.unified() ? "cgroup.threads" : "tasks");
            if (!CgroupFiles.readPids(threads).contains(Long.parseLong(tid))) {
                LOG.debug("{} does not list thread {}: no warm-up there", threads, tid);
                return false;
            }
            long start = System.nanoTime();
            Files.write(threads, tid.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
            LOG.debug("cgroup migration lock taken in {} us", (System.nanoTime() - start) / 1000);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("no cgroup warm-up: {}", e.toString());
            return false;
        }
    }

    /** This thread's cgroup in the hierarchy, as a directory under its mount point. */
    private Optional<Path> ownCgroup() throws IOException {
        for (String line : Files.readAllLines(THREAD_SELF.resolve("cgroup"), StandardCharsets.US_ASCII)) {
            String[] fields = line.split(":", 3);
            if (fields.length < 3) {
                continue;
            }
            boolean match = hierarchy.unified()
                    ? fields[0].equals("0") && fields[1].isEmpty()
                    : List.of(fields[1].split(",")).containsAll(hierarchy.controllers()) && !fields[1].isEmpty();
            if (match) {
                Path dir =
                        hierarchy.mountPoint().resolve(fields[2].substring(1)).normalize();
                return dir.startsWith(hierarchy.mountPoint()) && Files.isDirectory(dir)
                        ? Optional.of(dir)
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }
}
