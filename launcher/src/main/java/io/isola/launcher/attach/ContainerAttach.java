package io.isola.launcher.attach;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.launcher.server.Invocation;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * What {@code attach} and {@code start -a} do once a container runs: connect to the holder of its
 * terminal or stdin ({@link AttachedConsole}) or, for a container run with -d alone, whose output
 * goes straight to its log, follow the log; either way until the container ends, whose exit code
 * is then the command's, as Docker's attach gives it.
 */
public final class ContainerAttach {

    /** Docker's status and words for an attach left with the detach keys. */
    static final int DETACHED_STATUS = 1;

    static final String DETACHED_MESSAGE = "read escape sequence";
    private static final long LOG_POLL_MILLIS = 100;

    private final StateStore store;
    private final PrintWriter err;

    public ContainerAttach(StateStore store, PrintWriter err) {
        this.store = store;
        this.err = err;
    }

    /** {@code attach}'s options: keys to the container, signals to it (--sig-proxy), the detach keys. */
    public record Request(boolean stdin, boolean sigProxy, DetachKeys keys) {}

    /** The running container {@code state}; throws when it does not run, with Docker's advice. */
    public int attach(ContainerState state, Request request) throws IOException, InterruptedException {
        Lifecycle lifecycle = new Lifecycle(store);
        if (state.isola() != null && state.isola().paused()) {
            throw new IllegalArgumentException(
                    "container " + state.id() + " is paused: unpause it first ('isola unpause " + state.id() + "')");
        }
        if (!Lifecycle.isLive(state)) {
            throw new IllegalArgumentException("container " + state.id()
                    + " is not running: start it first ('isola start -a " + state.id() + "')");
        }
        return attach(lifecycle, state, request, false, logEnd(state));
    }

    /**
     * Just after {@code start} ran {@code state} again: everything it has written since, from
     * {@code logOffset} (where its log ended before the start) when its output goes straight there.
     */
    public int attachSinceStart(ContainerState state, Request request, long logOffset)
            throws IOException, InterruptedException {
        return attach(new Lifecycle(store), state, request, true, logOffset);
    }

    /** Where the log of {@code state} ends now (0 when it has none yet). */
    public static long logEnd(ContainerState state) {
        try {
            return state.isola() == null || state.isola().logFile() == null
                    ? 0
                    : Files.size(Path.of(state.isola().logFile()));
        } catch (IOException e) {
            return 0;
        }
    }

    private int attach(Lifecycle lifecycle, ContainerState state, Request request, boolean sinceStart, long logOffset)
            throws IOException, InterruptedException {
        String id = state.id();
        IntConsumer proxy = request.sigProxy() ? signal -> killQuietly(lifecycle, id, signal) : null;
        Path dir = store.dir(id);
        if (AttachSocket.exists(dir)) {
            AttachedConsole.Result result;
            try {
                result = AttachedConsole.attach(
                        dir, new AttachedConsole.Options(request.stdin(), sinceStart, request.keys(), proxy));
            } catch (ConnectException | NoSuchFileException e) {
                if (Lifecycle.isLive(lifecycle.get(id)) && AttachSocket.exists(dir)) {
                    throw new IsolaException(
                            "container " + id + " runs, but what held its terminal (the resident server or"
                                    + " its monitor process) is gone: nothing can attach to it; 'isola logs' shows what it wrote");
                }
                return exitCode(lifecycle, id); // it ended between the look and the connect
            }
            switch (result.end()) {
                case EXITED:
                case SIGNALLED:
                    return result.code();
                case DETACHED:
                    err.println(DETACHED_MESSAGE);
                    err.flush();
                    return DETACHED_STATUS;
                default:
                    if (Lifecycle.isLive(lifecycle.get(id))) {
                        throw new IsolaException("lost the connection to what holds the terminal of container " + id
                                + " (the resident server or its monitor process); it still runs");
                    }
                    return exitCode(lifecycle, id);
            }
        }
        return followLog(lifecycle, state, proxy, logOffset);
    }

    /** A container run with -d alone: its log from {@code offset} until it ends, then its exit code. */
    private int followLog(Lifecycle lifecycle, ContainerState state, IntConsumer proxy, long offset)
            throws IOException, InterruptedException {
        if (state.isola() == null || state.isola().logFile() == null) {
            throw new IllegalArgumentException(
                    "container " + state.id() + " keeps no output to attach to: it was not run with 'isola run -d'");
        }
        Invocation invocation = Invocation.current();
        AutoCloseable signals = proxy == null ? () -> {} : forward(proxy, invocation);
        try (signals;
                OutputStream out = new FdOutputStream(Fds.dupCloexec(invocation == null ? 1 : invocation.stdio(1)));
                InputStream log = Files.newInputStream(
                        Path.of(state.isola().logFile()), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            log.skipNBytes(offset);
            byte[] buffer = new byte[8192];
            boolean live = true;
            while (true) {
                int n = log.read(buffer);
                if (n > 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                } else if (!live) {
                    break; // read once more after it ended: what it wrote last
                } else {
                    live = Lifecycle.isLive(lifecycle.get(state.id()));
                    if (live) {
                        Thread.sleep(LOG_POLL_MILLIS);
                    }
                }
            }
        } catch (Exception e) {
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IllegalStateException(e);
        }
        return exitCode(lifecycle, state.id());
    }

    private static AutoCloseable forward(IntConsumer proxy, Invocation invocation) {
        if (invocation != null) {
            return invocation.onSignal(number -> {
                if (number == 1 || number == 2 || number == 15) {
                    proxy.accept(number);
                }
            });
        }
        Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new HashMap<>();
        for (String name : new String[] {"HUP", "INT", "TERM"}) {
            sun.misc.Signal signal = new sun.misc.Signal(name);
            previous.put(signal, sun.misc.Signal.handle(signal, received -> proxy.accept(received.getNumber())));
        }
        return () -> previous.forEach(sun.misc.Signal::handle);
    }

    /** The exit code that the container's monitor recorded, once it has. */
    private static int exitCode(Lifecycle lifecycle, String id) throws InterruptedException {
        ContainerState ended = lifecycle.await(id);
        Integer code =
                ended == null || ended.isola() == null ? null : ended.isola().exitCode();
        if (code == null) {
            throw new IsolaException(
                    "container " + id + " ended, but its exit status was not recorded (its monitor is gone)");
        }
        return code;
    }

    private static void killQuietly(Lifecycle lifecycle, String id, int signal) {
        try {
            lifecycle.kill(id, signal);
        } catch (RuntimeException e) {
            // it ended meanwhile
        }
    }
}
