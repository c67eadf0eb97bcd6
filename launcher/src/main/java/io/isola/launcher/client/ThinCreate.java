package io.isola.launcher.client;

import io.isola.internal.chain.CloneMode;
import io.isola.internal.chain.ClonePlan;
import io.isola.internal.chain.CloneThreads;
import io.isola.internal.launch.HostSignals;
import io.isola.internal.launch.StartupTrace;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.ThinLibc;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An engine's OCI {@code create} or {@code exec} (issue 17) in a small JVM: the resident server
 * plans the container or the exec'd process (the bundle or process.json, Felix and the
 * isolators, the joins of the container's namespaces, the composed program) and runs its
 * protocol; this process only clones the child from the plan, in the engine's process tree
 * (conmon and the shim reap it), reports its pid and exits as {@code runc create} or {@code runc
 * exec --detach} does. It loads core's chain and a raw jffi binding of libc ({@link JffiThinLibc}),
 * no Felix, picocli, Jackson or jnr-ffi. With no server of this
 * user and installation listening, or a command the server does not plan ({@code
 * --console-socket}, preserved fds, hooks, a create's joined namespaces), the command runs in
 * this JVM as before.
 */
public final class ThinCreate {

    private static final int SIGKILL = 9, EBADF = 9, F_DUPFD_CLOEXEC = 1030, F_GETFD = 1;
    /**
     * How long a command waits for the server it started (it exits when idle): a boot takes
     * ~1.5 s on a loaded host; one that takes longer leaves the command to run in-process.
     */
    private static final long SERVER_START_NANOS = 10_000_000_000L;

    private static final long RETRY_MILLIS = 10;
    /** Bounds the plan a server may send: a composed program is tens of KB. */
    private static final int MAX_PLAN = 16 << 20;
    /**
     * Room between the highest fd this process holds when it asks and the plan's first: what it
     * opens itself before it places them (the plan's fds as received, up to {@link Wire#MAX_FDS},
     * a jar or two) takes the lowest free numbers, which are below the floor unless every one
     * below it is taken. Less under a low RLIMIT_NOFILE (half of what is left below it), not
     * less than {@link #MIN_FD_ROOM}: the plan's fds must fit between the floor and the limit.
     */
    private static final int FD_ROOM = 64;
    /** The least room: a plan's few fds as received (its pipes, a PID namespace, a file or two). */
    private static final int MIN_FD_ROOM = 8;

    private final String[] args;
    private final Map<String, String> env;
    private ThinLibc libc;
    private UnixClientSocket channel;
    private ThinChild child;
    /**
     * The thread that cloned the child lives until the command's end: an exec's child has a
     * parent-death signal until its gate, and its parent is that thread.
     */
    private CloneThreads threads;
    /** Where the server numbers the plan's fds from: this process holds none from there up. */
    private int fdFloor;
    /** This process's RLIMIT_NOFILE soft limit: the plan's fds must be below it. */
    private int fdLimit;

    ThinCreate(String[] args) {
        this(args, System.getenv());
    }

    ThinCreate(String[] args, Map<String, String> env) {
        this.args = args;
        this.env = env;
    }

    public static void main(String[] args) {
        StartupTrace.mark("thin main");
        Integer code;
        try {
            code = new ThinCreate(args).viaServer();
        } catch (IOException e) {
            System.err.println("isola: " + verb(args) + " through the server failed: " + e.getMessage());
            code = 1;
        }
        StartupTrace.mark("thin exit");
        if (code == null) {
            io.isola.launcher.Main.main(args); // loaded only now: the in-process path as before
        } else {
            // halt, not exit: this JVM has no shutdown hook to run, and Runtime.exit logs itself
            // (JDK 21+), which sets up java.logging's LoggerFinder and LogManager first: ~25
            // classes and a configuration read at the end of every thin call
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(code);
        }
    }

    private static String verb(String[] args) {
        int verb = Verbs.verbIndex(args);
        return verb < 0 ? "command" : args[verb];
    }

    /**
     * Whether {@code args} are an engine's create (with a bundle) or exec (with a process file,
     * detached, as conmon and the shim call it) that the thin path may take.
     */
    static boolean thin(String[] args) {
        int verb = Verbs.verbIndex(args);
        if (verb < 0 || !(args[verb].equals("create") || args[verb].equals("exec"))) {
            return false;
        }
        for (int i = 0; i < verb; i++) {
            if (args[i].equals("--config") || args[i].startsWith("--config=")) {
                return false; // another configuration than the server's: bin/isola serves none either
            }
        }
        if (args[verb].equals("exec")) {
            return engineExec(args, verb);
        }
        for (int i = verb + 1; i < args.length; i++) {
            if (args[i].equals("-b") || args[i].startsWith("--bundle")) {
                return true;
            }
        }
        return false;
    }

    /**
     * An exec with a process file, detached (the engine waits for the process itself), without
     * a console socket (the terminal would be made by the server) or kept fds of the caller's.
     */
    private static boolean engineExec(String[] args, int verb) {
        boolean process = false, detached = false;
        for (int i = verb + 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("--console-socket") || arg.startsWith("--preserve-fds")) {
                return false;
            }
            process |= arg.equals("-p") || arg.equals("--process") || arg.startsWith("--process=");
            detached |= arg.equals("-d") || arg.equals("--detach");
        }
        return process && detached;
    }

    /** The create's exit status, or null when it must run in-process (nothing was done). */
    Integer viaServer() throws IOException {
        if (env.getOrDefault("ISOLA_SERVER", "on").equals("off")
                || !thin(args)
                || List.of(args).contains("--debug")) {
            return null;
        }
        long uid = ServerAddress.currentUid();
        ServerAddress address = ServerAddress.of(uid, env);
        try {
            if (ServerStarter.prepare(address, uid) != null) {
                return null; // not this user's own directory: never used
            }
        } catch (IOException e) {
            // no server directory can be made here (rootless podman runs the runtime as root of
            // the user's namespace, where /run is not writable): in-process, as the clients do
            return null;
        }
        try {
            libc = new JffiThinLibc();
        } catch (LinkageError | RuntimeException e) {
            return null; // libc cannot be bound here (a native library, a class): nothing was sent, in-process
        }
        StartupTrace.mark("thin libc bound");
        try {
            channel = UnixClientSocket.connect(libc, address.socket());
        } catch (IOException e) {
            return null; // nothing was sent: in-process
        }
        if (channel == null) {
            channel = startedServer(address);
        }
        if (channel == null) {
            return null; // no server came up: in-process
        }
        StartupTrace.mark("thin connected");
        try {
            return session();
        } catch (IOException | RuntimeException | Error e) {
            // a child cloned already dies now, not at its gate's end of file; an Error too (a
            // class or native library that does not load), which nothing above would catch
            end(FailureStatus.OTHER);
            throw e;
        } finally {
            channel.close();
            if (threads != null) {
                threads.close();
            }
        }
    }

    /**
     * No server listens (it exits when idle): one is started, as the in-process path would for
     * the engine's start, state and delete that follow, and this command waits for it and goes
     * through it too. In-process here it would run Felix and the isolators interpreted (this
     * JVM's -Xint), after which the engine's next verbs found no server up yet and ran
     * in-process as well. Null, to run in-process, when none comes up in time or it failed.
     */
    private UnixClientSocket startedServer(ServerAddress address) {
        try {
            Process server = ServerStarter.spawnUnlessStarting(address); // null: another starts it
            StartupTrace.mark("thin server started");
            long deadline = System.nanoTime() + SERVER_START_NANOS;
            while (System.nanoTime() < deadline) {
                UnixClientSocket connected = UnixClientSocket.connect(libc, address.socket());
                if (connected != null) {
                    return connected;
                }
                if (server != null && !server.isAlive()) {
                    if (server.exitValue() != 0) {
                        return null; // it did not start (its log says why): in-process
                    }
                    server = null; // another took the lock first (exit 0): that one comes up
                } else if (server == null) {
                    // the lock's holder may have been a server at its idle exit, gone now: start one
                    server = ServerStarter.spawnUnlessStarting(address);
                }
                Thread.sleep(RETRY_MILLIS);
            }
        } catch (IOException e) {
            // no server to start here: in-process
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private Integer session() throws IOException {
        fdLimit = libc.openFileLimit();
        fdFloor = fdFloor(fdLimit);
        byte[] request = Wire.request(
                ProcessHandle.current().pid(),
                false,
                System.getProperty("user.dir"),
                List.of(args),
                env,
                HostSignals.nonDefault(libc),
                fdFloor,
                fdLimit);
        channel.sendFds(0, 1, 2);
        channel.write(request);
        StartupTrace.mark("thin request sent");
        byte[] frame = new byte[5];
        if (!channel.readFully(frame) || frame[0] != Wire.ACCEPTED) {
            return null; // refused, or not served: nothing was done
        }
        while (true) {
            int[] fds = channel.receive(frame);
            if (fds == null) {
                System.err.println("isola: the server ended during the " + verb(args));
                return end(FailureStatus.OTHER); // the OCI create: runc's 1
            }
            int value = ByteBuffer.wrap(frame).getInt(1);
            if (frame[0] == Wire.PLAN && child == null) {
                StartupTrace.mark("thin plan frame");
                byte[] plan = planBytes(value, fds);
                channel.write(ByteBuffer.allocate(5)
                        .put(Wire.CLONED)
                        .putInt(cloneFrom(ClonePlan.decode(plan), fds))
                        .array());
                StartupTrace.mark("thin pid sent");
                continue;
            }
            closeAll(fds);
            StartupTrace.mark("thin frame " + (char) frame[0]);
            if (frame[0] == Wire.EXIT) {
                return end(value);
            }
            if (frame[0] == Wire.FALLBACK && child == null) {
                return null;
            }
            throw new IOException("unexpected frame " + frame[0] + " from the server");
        }
    }

    private byte[] planBytes(int length, int[] fds) throws IOException {
        if (length < 0 || length > MAX_PLAN) {
            closeAll(fds);
            throw new IOException("a plan of " + length + " bytes from the server: expected 0 to " + MAX_PLAN);
        }
        byte[] plan = new byte[length];
        if (length > 0 && !channel.readFully(plan)) {
            closeAll(fds);
            throw new IOException("the server ended while sending the plan");
        }
        return plan;
    }

    /**
     * Clones the plan's child with the fds at the numbers the program names; the pid, or what
     * the server reads as a failed clone (-errno, or {@link CloneThreads#NO_CHILD}).
     */
    private int cloneFrom(ClonePlan plan, int[] received) throws IOException {
        int[] targets = plan.fds();
        int[] placed = new int[targets.length];
        java.util.Arrays.fill(placed, -1);
        try {
            if (received.length != targets.length) {
                throw new IOException(
                        "the server passed " + received.length + " fds with the plan, expected " + targets.length);
            }
            for (int i = 0; i < targets.length; i++) {
                placed[i] = place(received[i], targets[i]);
            }
            long tid = libc.allocate(16);
            threads = new CloneThreads(libc);
            try {
                Future<Integer> cloned = threads.clone(
                        plan.program(),
                        plan.namespaceFlags(),
                        plan.statusFd(),
                        plan.gateFd(),
                        tid,
                        CloneMode.FORK,
                        plan.pidNamespaceFd());
                StartupTrace.mark("thin cloning");
                int pid = cloned.get(60, TimeUnit.SECONDS);
                StartupTrace.mark("thin cloned");
                child = ThinChild.open(libc, pid);
                return pid;
            } catch (ExecutionException e) {
                return e.getCause() instanceof NativeException failed ? -failed.errno() : CloneThreads.NO_CHILD;
            } catch (TimeoutException e) {
                return CloneThreads.NO_CHILD;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CloneThreads.NO_CHILD;
            } finally {
                libc.free(tid, 16);
            }
        } finally {
            closeAll(received);
            closeAll(placed); // the child has its own copies
        }
    }

    /**
     * The lowest fd number the plan's fds may take: {@link #FD_ROOM} above the highest this
     * process holds, so that they are free here whatever an engine left open when it ran us
     * (inherited: not close-on-exec), and low for a caller that left nothing (the server's own
     * table decides the rest: its lowest free numbers from there, below {@code fdLimit} or the
     * command is refused naming the limit). Closer under a low {@code fdLimit}.
     */
    static int fdFloor(int fdLimit) {
        String[] open = new File("/proc/self/fd").list();
        int highest = 2;
        for (String fd : open == null ? new String[0] : open) {
            highest = Math.max(highest, Integer.parseInt(fd));
        }
        int room = Math.max(MIN_FD_ROOM, Math.min(FD_ROOM, (fdLimit - highest - 1) / 2));
        return highest + 1 + room;
    }

    /** {@code fd} copied to exactly {@code target}, which must be free here (close-on-exec, as the server's). */
    private int place(int fd, int target) throws IOException {
        if (target < fdFloor) {
            throw new IOException("the plan names fd " + target + ", below this client's floor " + fdFloor);
        }
        if (libc.fcntl(target, F_GETFD, 0) >= 0 || libc.lastErrno() != EBADF) {
            throw new IOException("fd " + target + " that the plan names is open in this process already");
        }
        int copy = libc.fcntl(fd, F_DUPFD_CLOEXEC, target);
        if (copy != target) {
            int errno = libc.lastErrno();
            closeAll(new int[] {copy});
            throw new IOException("cannot place the plan's fd at " + target + " (got " + copy + ", errno " + errno
                    + "; this process's open-file limit is " + fdLimit + ")");
        }
        return copy;
    }

    /**
     * The command's status: on a failure the child (ours, as it must be the engine's
     * descendant) is killed and reaped here; on success it is left to the engine, as runc's is.
     */
    private int end(int code) {
        if (child != null && code != 0) {
            child.signal(SIGKILL);
            child.awaitExit(Duration.ofSeconds(10));
            child = null;
        }
        return code;
    }

    private void closeAll(int[] fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                libc.close(fd);
            }
        }
    }
}
