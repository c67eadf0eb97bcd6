package io.isola.spi.support;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.SyscallNumbers;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived thread that runs short work inside containers' network namespaces, for {@link
 * Loopback}: a new thread per container ({@link NamespaceThread}) cost a {@code --net none} start
 * 1.2 ms median (2.8 ms p90) on a loaded 2-core host, the JVM's thread start being several
 * hand-offs between the two threads; a queued job is two.
 *
 * <p>What {@link NamespaceThread} guards against still holds: after each job the thread joins the
 * process's own network namespace again ({@code /proc/self/ns/net}, the main thread's, which
 * never leaves it), so it keeps no container's namespace alive and opens nothing in one between
 * jobs (it opens nothing at all but the namespace files). If it cannot go back, it ends, and the
 * next job starts another thread. It also ends after {@value #IDLE_SECONDS} s without work, and
 * keeps no descriptor open while it waits.
 */
final class NetnsWorker {

    private static final long IDLE_SECONDS = 10;
    private static final Path HOME = Path.of("/proc/self/ns/net");

    private static final Object LOCK = new Object();
    /** The thread's queue, or null when no thread runs. */
    private static BlockingQueue<Job> queue;

    private NetnsWorker() {}

    private static final class Job {
        final int fd;
        final Path file;
        final NamespaceThread.Work work;
        final CountDownLatch done = new CountDownLatch(1);
        IOException failure;

        Job(int fd, Path file, NamespaceThread.Work work) {
            this.fd = fd;
            this.file = file;
            this.work = work;
        }
    }

    /** Runs {@code work} in the network namespace behind {@code file}; as {@link NamespaceThread#run}. */
    static void run(Path file, NamespaceThread.Work work) throws IOException {
        int fd;
        try {
            fd = Fds.open(file.toString(), Fds.O_RDONLY, 0);
        } catch (NativeException e) {
            throw new IOException("cannot open the net namespace " + file + ": " + e.getMessage(), e);
        }
        Job job = new Job(fd, file, work);
        try {
            synchronized (LOCK) {
                if (queue == null) {
                    queue = startThread();
                }
                queue.add(job);
            }
            Uninterruptibly.await(job.done::await);
        } finally {
            Fds.closeQuietly(fd);
        }
        if (job.failure != null) {
            throw job.failure;
        }
    }

    /** A new worker thread and its queue; under {@link #LOCK}. */
    private static BlockingQueue<Job> startThread() {
        BlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
        Thread thread = new Thread(new Loop(jobs), "isola-netns");
        thread.setDaemon(true);
        thread.start();
        return jobs;
    }

    private static final class Loop implements Runnable {
        private final BlockingQueue<Job> jobs;

        Loop(BlockingQueue<Job> jobs) {
            this.jobs = jobs;
        }

        @Override
        public void run() {
            try {
                while (true) {
                    Job job = jobs.poll(IDLE_SECONDS, TimeUnit.SECONDS);
                    if (job == null) {
                        synchronized (LOCK) {
                            if (jobs.isEmpty()) {
                                queue = null;
                                return;
                            }
                        }
                        continue;
                    }
                    boolean home = serve(job);
                    if (!home) {
                        retire();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                retire();
            }
        }

        /** Runs one job; false when the thread could not go back to the host's namespace. */
        private boolean serve(Job job) {
            boolean joined = false;
            try {
                join(job.fd, job.file);
                joined = true;
                job.work.run();
            } catch (IOException e) {
                job.failure = e;
            } catch (RuntimeException e) {
                job.failure = new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            }
            // the caller goes on while this thread goes back: the next job waits for it in the queue
            job.done.countDown();
            return !joined || goHome();
        }

        /** This thread ends: the jobs queued meanwhile go to a new one. */
        private void retire() {
            synchronized (LOCK) {
                if (queue == jobs) {
                    queue = null;
                }
                Job left;
                while ((left = jobs.poll()) != null) {
                    if (queue == null) {
                        queue = startThread();
                    }
                    queue.add(left);
                }
            }
        }
    }

    private static void join(int fd, Path file) throws IOException {
        Native n = Native.get();
        if (n.libc().syscall(SyscallNumbers.SETNS, fd, Namespace.NET.cloneFlag(), 0, 0) < 0) {
            int errno = n.lastErrno();
            throw new IOException("cannot join the net namespace " + file + ": " + Errno.name(errno) + " ("
                    + Errno.describe(errno) + ")");
        }
    }

    private static boolean goHome() {
        int fd;
        try {
            fd = Fds.open(HOME.toString(), Fds.O_RDONLY, 0);
        } catch (NativeException e) {
            return false;
        }
        try {
            return Native.get().libc().syscall(SyscallNumbers.SETNS, fd, Namespace.NET.cloneFlag(), 0, 0) == 0;
        } finally {
            Fds.closeQuietly(fd);
        }
    }
}
