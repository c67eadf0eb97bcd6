package io.isola.launcher.server;

import io.isola.api.Container;
import io.isola.internal.launch.RemoteClone;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * One command line that the resident server runs for a client, seen from the code that runs it:
 * the client's environment, working directory and standard streams (the server's own fds of the
 * client's files: passed with SCM_RIGHTS, or opened through /proc/PID/fd), and where the client's signals go. Bound to the thread that runs the
 * command; {@link #current()} is null in a CLI that runs in its own JVM, and then every verb
 * behaves as it always did.
 */
public final class Invocation {

    private static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();

    private final Map<String, String> env;
    private final Path cwd;
    private final int[] stdio;
    private final boolean tty;
    private final List<SignalTarget> targets = new CopyOnWriteArrayList<>();
    private volatile boolean clientGone;
    /** Signals that came before the container to forward them to had started (see {@link #holdSignals}). */
    private final List<Integer> held = new ArrayList<>();

    private boolean holding;
    /** What ends the command when a signal finds nothing to forward to (set by the session). */
    private volatile IntConsumer cancel = number -> {};
    /** Set when the client clones the container itself (a thin create). */
    private volatile RemoteClone cloner;

    /** Receives the client's signals for as long as it is registered. */
    public interface SignalTarget {
        void signal(int number);
    }

    Invocation(Map<String, String> env, Path cwd, int[] stdio, boolean tty) {
        this.env = Map.copyOf(env);
        this.cwd = cwd;
        this.stdio = stdio.clone();
        this.tty = tty;
    }

    public static Invocation current() {
        return CURRENT.get();
    }

    /** The client's value of {@code name}, or this process's own when no client is served. */
    public static String getenv(String name) {
        Invocation invocation = current();
        return invocation == null ? System.getenv(name) : invocation.env.get(name);
    }

    /** The server-side fd that is the client's stream 0, 1 or 2. */
    public int stdio(int stream) {
        return stdio[stream];
    }

    public Path cwd() {
        return cwd;
    }

    /** The client's clone of the container (a thin create's), or null when the client cannot clone. */
    public RemoteClone cloner() {
        return cloner;
    }

    void clonedBy(RemoteClone cloner) {
        this.cloner = cloner;
    }

    /** Whether the client said it runs at a terminal. */
    public boolean tty() {
        return tty;
    }

    /** Sends the client's signals to {@code target} until the returned handle is closed. */
    public AutoCloseable onSignal(SignalTarget target) {
        List<Integer> early;
        synchronized (held) {
            targets.add(target);
            early = List.copyOf(held);
            held.clear();
            holding = false;
        }
        early.forEach(target::signal);
        return () -> targets.remove(target);
    }

    /**
     * The command is about to start a container that will take the client's signals: until it
     * registers ({@link #onSignal}), signals wait for it rather than end the command. (A CLI in
     * its own JVM has the same moment; there a SIGTERM ends the CLI and leaves the container.)
     */
    public void holdSignals() {
        synchronized (held) {
            holding = true;
        }
    }

    /** Forwards the client's signals to the containers of the current command as well. */
    public AutoCloseable forward(Container container) {
        return onSignal(container::kill);
    }

    void signal(int number) {
        synchronized (held) {
            if (holding && targets.isEmpty()) {
                held.add(number);
                return;
            }
        }
        if (targets.isEmpty()) {
            // as the CLI's JVM would die of SIGINT, SIGTERM or SIGHUP while, say, logs -f follows
            if (number == 1 || number == 2 || number == 15) {
                cancel.accept(number);
            }
            return;
        }
        for (SignalTarget target : targets) {
            try {
                target.signal(number);
            } catch (RuntimeException e) {
                // the container ended meanwhile
            }
        }
    }

    void clientGone() {
        clientGone = true;
        synchronized (held) {
            if (holding) {
                return; // a container is starting: it outlives its client, as the ones already started do
            }
        }
        if (targets.isEmpty()) {
            cancel.accept(0); // nobody to report to: stop waiting or following
        }
        // a foreground container outlives its client, as it outlives a killed CLI; the server
        // still reaps it and records its end
    }

    void onCancel(IntConsumer action) {
        this.cancel = action;
    }

    /** True once the client's end of the connection has closed (it exited or was killed). */
    public boolean isClientGone() {
        return clientGone;
    }

    void bind() {
        CURRENT.set(this);
    }

    void unbind() {
        CURRENT.remove();
    }

    /**
     * Thrown by a verb that cannot run in the server (a terminal to attach), before it has done
     * anything: the client then runs the command line in-process.
     */
    public static final class NotServed extends RuntimeException {
        public NotServed(String why) {
            super(why, null, false, false);
        }
    }
}
