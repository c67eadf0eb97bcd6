package io.isola.launcher.server;

import io.isola.internal.launch.StartupTrace;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.launcher.client.ServerAddress;
import io.isola.launcher.client.Wire;
import io.isola.launcher.image.ContainerLayers;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * One client's command, in either client's protocol ({@link ClientConnection}): checks the peer,
 * takes its stdin, stdout and stderr, runs its command line through the same picocli command tree
 * as the CLI, with the client's environment and working directory ({@link Invocation}), and
 * returns the exit status.
 */
final class Session implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** {@link #execute}'s answer when the exit frame went out already (the command was cancelled). */
    private static final Integer CANCELLED = Integer.MIN_VALUE;

    private final ClientConnection connection;
    private final long uid;
    private final Map<String, String> serverEnv;
    private final PeerLog refusals;
    private final PreparedParsers parsers;
    /** The command's parser, given back once the client has its answer. */
    private PreparedParsers.Parser parser;

    Session(
            ClientConnection connection,
            long uid,
            Map<String, String> serverEnv,
            PeerLog refusals,
            PreparedParsers parsers) {
        this.connection = connection;
        this.uid = uid;
        this.serverEnv = serverEnv;
        this.refusals = refusals;
        this.parsers = parsers;
    }

    @Override
    public void run() {
        int[] stdio = {};
        String[] args = null;
        try {
            ClientRequest request = connection.accept(uid, refusals);
            if (request == null) {
                return;
            }
            StartupTrace.mark("server request read");
            stdio = request.stdio();
            args = request.args().toArray(String[]::new);
            String mismatch = mismatch(request.env());
            if (mismatch != null) {
                LOG.info("not serving pid {}: {}", request.pid(), mismatch);
                connection.frame(Wire.FALLBACK, 0);
                return;
            }
            Invocation invocation = new Invocation(request.env(), Path.of(request.cwd()), stdio, request.tty());
            if (request.clones() && connection instanceof JvmConnection jvm) {
                invocation.clonedBy(ThinCloner.of(
                        jvm, request.pid(), request.clonerSignals(), request.clonerFdFloor(), request.clonerFdLimit()));
            }
            Integer code = execute(invocation, request);
            // the client's streams go before the answer: an engine that reads the runtime's output
            // through a pipe (containerd's shim, podman's state) waits for its end, which our copies
            // would hold back for as long as this thread is not scheduled after the answer woke the client
            JvmConnection.closeAll(stdio);
            stdio = new int[0];
            if (code != null) { // not served: the client runs it, and sweeps
                // once a command (in-process, a command sweeps before and after itself:
                // Main.sweepingLayers), before the answer: a failed start's writable layer, kept
                // for a state the failure then removed, is gone when its client hears of the
                // failure, and nothing of the command is still at work when its client goes on
                ContainerLayers.sweepQuietly();
            }
            if (code == null) {
                connection.frame(Wire.FALLBACK, 0);
            } else if (!code.equals(CANCELLED)) {
                StartupTrace.mark("server command done");
                connection.frame(Wire.EXIT, code);
            }
        } catch (IOException | RuntimeException e) {
            refusals.warn("sessions", "session ended: {}", e.toString());
        } finally {
            connection.close();
            JvmConnection.closeAll(stdio);
        }
        Thread.interrupted(); // a cancel that came as the command ended: not the next parser's
        if (parser != null) {
            parsersDone(args);
        }
    }

    /** The parser goes back, or the next of its verb is made, now that the client has its answer and its streams back. */
    private void parsersDone(String[] args) {
        try {
            parsers.done(parser, args);
        } catch (RuntimeException e) {
            LOG.debug("cannot prepare the next parser: {}", e.toString());
        }
    }

    /**
     * Runs the command line; null when a verb found it cannot run here before doing anything
     * (the client then runs it in-process). The client's frames (signals, end of stream) are
     * read on a second thread meanwhile.
     */
    private Integer execute(Invocation invocation, ClientRequest request) throws IOException {
        PrintWriter out = writer(invocation.stdio(1));
        PrintWriter err = writer(invocation.stdio(2));
        String[] args = request.args().toArray(String[]::new);
        parser = parsers.take(args, out, err);
        CommandLine cli = parser.cli();
        Path cwd = invocation.cwd();
        // a relative path on the client's command line means its working directory, not ours
        cli.registerConverter(Path.class, value -> cwd.resolve(value));
        CommandLine.IExecutionExceptionHandler handler = parser.handler(); // not the last session's wrapper
        // picocli prints what a handler throws, so a verb that cannot run here is remembered instead
        AtomicReference<Invocation.NotServed> notServed = new AtomicReference<>();
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof Invocation.NotServed refused) {
                notServed.set(refused);
                return CANCELLED;
            }
            return handler.handleExecutionException(e, command, parsed);
        });
        Thread worker = Thread.currentThread();
        AtomicBoolean replied = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        invocation.onCancel(signal -> {
            if (signal > 0 && replied.compareAndSet(false, true)) {
                try {
                    connection.frame(Wire.EXIT, 128 + signal); // the status of a CLI killed by the signal
                } catch (IOException e) {
                    // the client has gone
                }
            }
            if (running.get()) { // the reader may see the client go after the command: then it is not this one's
                worker.interrupt();
            }
        });
        invocation.bind();
        try {
            connection.frame(Wire.ACCEPTED, 0);
            Thread frames = new Thread(() -> readFrames(invocation), "isola-session-frames");
            frames.setDaemon(true);
            frames.start();
            int code = cli.execute(args);
            out.flush();
            err.flush();
            if (notServed.get() != null) {
                throw notServed.get();
            }
            Thread.interrupted(); // a cancel that came too late to matter
            return replied.compareAndSet(false, true) ? code : CANCELLED;
        } catch (Invocation.NotServed e) {
            LOG.debug("not served: {}", e.getMessage());
            return null;
        } finally {
            running.set(false);
            invocation.unbind();
            out.close(); // our duplicates only: a caller reading "$(isola ps)" waits for every writer
            err.close();
        }
    }

    private static PrintWriter writer(int fd) {
        // the server's own duplicate: closing the writer never closes the client's file
        return new PrintWriter(
                new OutputStreamWriter(new FdOutputStream(Fds.dupCloexec(fd)), StandardCharsets.UTF_8), true);
    }

    private void readFrames(Invocation invocation) {
        try {
            while (true) {
                invocation.signal(connection.nextSignal());
            }
        } catch (IOException e) {
            invocation.clientGone();
        }
    }

    /** Null when the client sees the same isola as the server; else what differs. */
    private String mismatch(Map<String, String> env) {
        for (String name : ServerAddress.KEYED_ENV) {
            if (!Objects.equals(ServerAddress.keyedValue(env, name), ServerAddress.keyedValue(serverEnv, name))) {
                return "$" + name + " differs from the server's";
            }
        }
        return null;
    }
}
