package io.isola.internal.chain;

import static io.isola.internal.nativ.Signals.SIGCHLD;

import io.isola.api.TimeNamespace;
import io.isola.internal.nativ.CloneLibc;
import io.isola.internal.nativ.Dumpability;
import io.isola.internal.nativ.JnrCloneLibc;
import io.isola.internal.nativ.NativeException;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that clone containers.
 *
 * <p>The clone is vfork-style ({@code CLONE_VM | CLONE_VFORK}, as posix_spawn does): no page
 * tables are copied, so the launch costs the same whatever the JVM's heap, and the garbage
 * collector pays no copy-on-write faults afterwards. The cloning thread is suspended until the
 * child execs or exits, which is why it is not the thread that serves the protocol, and why its
 * chain arena can be reused as soon as clone returns.
 *
 * <p>The child shares the JVM's memory, so it must never run a JVM signal handler: the cloning
 * thread blocks every asynchronous signal around the clone, the chain keeps them blocked and resets the
 * handlers before the execve context unblocks them. The child writes its errno records through
 * this thread's errno location, since it inherits this thread's TLS.
 */
public final class CloneThreads implements AutoCloseable {

    private static final int CLONE_VM = 0x100, CLONE_VFORK = 0x4000, CLONE_PARENT_SETTID = 0x100000;
    private static final int SIG_SETMASK = 2;
    /** SIGILL, SIGBUS, SIGFPE, SIGSEGV as bits of a signal mask. */
    private static final long SYNCHRONOUS_FAULTS =
            (1L << (4 - 1)) | (1L << (7 - 1)) | (1L << (8 - 1)) | (1L << (11 - 1));
    /** Written to the status pipe by the cloning thread itself when no child was created. */
    public static final int NO_CHILD = Integer.MIN_VALUE;

    private static final ThreadLocal<Worker> WORKER = new ThreadLocal<>();
    private static final AtomicInteger THREADS = new AtomicInteger();

    private static final long IDLE_SECONDS = 10;

    /** Live cloning threads, joined on close so that their native state is freed by then. */
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    /**
     * Idle cloning threads, most recently used first. A thread goes back here before it completes
     * its launch's future, so back-to-back launches always reuse one thread (and its arena); an
     * executor's hand-off would race the thread's return and start a new one now and then.
     */
    private final Deque<Courier> idle = new ConcurrentLinkedDeque<>();

    /**
     * The binding given, or null for the runtime's jnr-ffi one, taken by the first cloning thread:
     * a runtime that never clones never loads jnr-ffi.
     */
    private final CloneLibc given;

    private volatile boolean closed;

    /** Cloning through the runtime's jnr-ffi binding. */
    public CloneThreads() {
        this.given = null;
    }

    /** Cloning through {@code libc}: a thin create's JVM passes its raw jffi one (issue 17). */
    public CloneThreads(CloneLibc libc) {
        this.given = Objects.requireNonNull(libc);
    }

    /**
     * Compiles {@code program} on a cloning thread and clones the child running it. The future
     * gives the child's pid once it has exec'd or exited. The child's pid is also written to
     * {@code parentTidAddress} before the child runs. When no child could be created, the thread
     * writes {@link #NO_CHILD} to {@code statusFd} so that the protocol side wakes up.
     */
    public Future<Integer> clone(
            ChildProgram program, int namespaceFlags, int statusFd, int gateFd, long parentTidAddress) {
        return clone(program, namespaceFlags, statusFd, gateFd, parentTidAddress, CloneMode.VFORK, -1);
    }

    /**
     * Like {@link #clone(ChildProgram, int, int, int, long)}, in the given {@link CloneMode}. A
     * program that spawns ({@link ChildProgram.Spawn}) has the sibling's pid written at
     * {@code parentTidAddress + 8}, so that address needs 16 bytes (see {@link ChainCompiler#compile}).
     * With {@code pidNamespaceFd} at 0 or above, the child is born in that PID namespace: setns of
     * a PID namespace changes only where the caller's children go, and each thread has its own,
     * so the cloning thread joins it for the clone and goes back to its own right after (allowed
     * in a multithreaded process, unlike a user or mount namespace).
     */
    public Future<Integer> clone(
            ChildProgram program,
            int namespaceFlags,
            int statusFd,
            int gateFd,
            long parentTidAddress,
            CloneMode mode,
            int pidNamespaceFd) {
        return clone(program, namespaceFlags, statusFd, gateFd, parentTidAddress, mode, pidNamespaceFd, null);
    }

    /**
     * As above; with {@code time} not null the child is born in a new time namespace with those
     * offsets ({@link TimeNamespaceEntry}), which needs {@link CloneMode#FORK}; the cloning thread
     * then retires.
     */
    public Future<Integer> clone(
            ChildProgram program,
            int namespaceFlags,
            int statusFd,
            int gateFd,
            long parentTidAddress,
            CloneMode mode,
            int pidNamespaceFd,
            TimeNamespace time) {
        if (time != null && mode != CloneMode.FORK) {
            throw new IllegalArgumentException("a child born in a new time namespace must be cloned fork-style");
        }
        int shared = mode == CloneMode.VFORK ? CLONE_VM | CLONE_VFORK : 0;
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Callable<Integer> job = () -> {
            Worker worker = WORKER.get();
            try {
                ChainCompiler.Compiled chain = worker.compiler.compile(
                        program, statusFd, gateFd, worker.errnoAddress, worker.arena, parentTidAddress + 8, mode);
                if (time != null) {
                    worker.retiring = true; // from the unshare on, this thread's children would all be born there
                    TimeNamespaceEntry.enter(time);
                }
                if (pidNamespaceFd < 0) {
                    return worker.cloneChild(
                            chain, namespaceFlags | shared | CLONE_PARENT_SETTID | SIGCHLD, parentTidAddress, statusFd);
                }
                try (PidNamespaceSwitch joined = PidNamespaceSwitch.enter(worker.libc, pidNamespaceFd)) {
                    return worker.cloneChild(
                            chain, namespaceFlags | shared | CLONE_PARENT_SETTID | SIGCHLD, parentTidAddress, statusFd);
                }
            } catch (RuntimeException | Error e) {
                worker.reportNoChild(statusFd);
                throw e;
            }
        };
        if (closed) {
            throw new IllegalStateException("the runtime's clone threads are closed");
        }
        Courier courier = idle.pollFirst();
        if (courier == null) {
            courier = startCourier();
        }
        courier.tasks.add(new Task(job, result));
        return result;
    }

    @Override
    public void close() {
        closed = true;
        for (Courier courier = idle.pollFirst(); courier != null; courier = idle.pollFirst()) {
            courier.tasks.add(Task.STOP);
        }
        try {
            for (Thread thread : List.copyOf(threads)) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The native memory the cloning threads keep between launches (their chain arenas), freed as they end. */
    public static long cachedNativeBytes() {
        return ChainArena.heldBytes();
    }

    private Courier startCourier() {
        Courier courier = new Courier();
        Thread thread = new Thread(courier, "isola-clone-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return courier;
    }

    /** One launch for a cloning thread, and where its outcome goes. */
    private record Task(Callable<Integer> job, CompletableFuture<Integer> result) {
        static final Task STOP = new Task(null, null);
    }

    /** A cloning thread: runs one task at a time and ends after a while without any. */
    private final class Courier implements Runnable {
        final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();

        @Override
        public void run() {
            try (Worker worker = new Worker(given != null ? given : JnrCloneLibc.get())) {
                WORKER.set(worker);
                while (true) {
                    Task task = tasks.poll(IDLE_SECONDS, TimeUnit.SECONDS);
                    if (task == null) {
                        if (idle.remove(this)) {
                            return;
                        }
                        continue; // a launch took this thread from the idle stack: its task is on the way
                    }
                    if (task == Task.STOP) {
                        return;
                    }
                    Integer pid = null;
                    Throwable failure = null;
                    try {
                        pid = task.job().call();
                    } catch (Throwable e) {
                        failure = e;
                    }
                    boolean stay = !closed && !(failure instanceof PidNamespaceSwitch.Stuck) && !worker.retiring;
                    if (stay) {
                        idle.addFirst(this);
                    }
                    if (failure != null) {
                        task.result().completeExceptionally(failure);
                    } else {
                        task.result().complete(pid);
                    }
                    if (!stay) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                WORKER.remove();
                threads.remove(Thread.currentThread());
            }
        }
    }

    /** One cloning thread's native state. */
    private static final class Worker implements AutoCloseable {
        private static final long MASKS = 2L * UcontextLayout.SIGSET_BYTES + 8;
        private final CloneLibc libc;
        private final ChainCompiler compiler;
        private final ChainArena arena;
        private final long masks;
        private final long errnoAddress;
        /** Set when this thread's children would be born in a namespace of a container's: it clones no more. */
        private boolean retiring;

        Worker(CloneLibc libc) {
            this.libc = libc;
            this.compiler = new ChainCompiler(libc);
            this.arena = new ChainArena(libc);
            this.masks = libc.allocate(MASKS);
            this.errnoAddress = libc.errnoLocation();
            for (int i = 0; i < UcontextLayout.SIGSET_BYTES; i += 8) {
                libc.putLong(masks + i, -1L);
            }
            // The JVM turns faults into safepoint polls and null checks: this thread runs Java
            // code (the native call's stub) between the clone and the restore of its mask, and a
            // fault while SIGSEGV is blocked kills the whole JVM. Faults are synchronous, so
            // leaving them unblocked lets no asynchronous signal into the child, which sets its
            // own all-blocking mask with its first context.
            libc.putLong(masks, ~SYNCHRONOUS_FAULTS);
        }

        int cloneChild(ChainCompiler.Compiled chain, int flags, long parentTidAddress, int statusFd) {
            // a vfork-style child shares this JVM's dumpable flag, a fork-style one copies it
            Dumpability.ensure(libc);
            long all = masks, saved = all + UcontextLayout.SIGSET_BYTES;
            libc.pthread_sigmask(SIG_SETMASK, all, saved);
            int pid;
            int errno;
            try {
                pid = libc.clone(
                        libc.symbol("setcontext"),
                        chain.cloneStackTop(),
                        flags,
                        chain.firstContext(),
                        parentTidAddress);
                errno = libc.lastErrno();
            } finally {
                libc.pthread_sigmask(SIG_SETMASK, saved, 0);
            }
            if (pid < 0) {
                libc.putInt(saved, -errno);
                libc.write(statusFd, saved, 4);
                throw new NativeException("clone", errno);
            }
            return pid;
        }

        void reportNoChild(int statusFd) {
            long record = masks + 2L * UcontextLayout.SIGSET_BYTES;
            libc.putInt(record, NO_CHILD);
            libc.write(statusFd, record, 4);
        }

        @Override
        public void close() {
            compiler.close();
            arena.close();
            libc.free(masks, MASKS);
        }
    }
}
