package io.isola.launcher.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code bin/isola} for the verbs a resident server runs ({@link Verbs}): a small JVM that hands
 * its command line, environment, working directory and pid to this user's server over a unix
 * socket ({@link Wire}), forwards SIGINT, SIGTERM, SIGHUP and SIGWINCH, and exits with the
 * status the server returns. Its stdin, stdout and stderr go to the server with SCM_RIGHTS
 * ({@link UnixClientSocket}), so the container reads and writes them directly. The first client starts the
 * server; when there is no usable server, or {@code ISOLA_SERVER=off}, the command runs in this
 * JVM as it always did ({@code --debug} says why).
 */
public final class Client {

    private static final int START_WAIT_MILLIS = 60_000, RETRY_MILLIS = 20;

    private final String[] args;
    private final Map<String, String> env = System.getenv();
    private final boolean debug;
    private UnixClientSocket channel;
    private volatile boolean accepted;
    private volatile int pendingSignal;

    Client(String[] args) {
        this.args = args;
        this.debug = Arrays.asList(args).contains("--debug");
    }

    public static void main(String[] args) {
        if (System.getenv("ISOLA_CLIENT_TRAIN") != null) {
            Training.run(); // bin/isola-cds: load what a round trip loads, for the class-data archive
            return;
        }
        Client client = new Client(args);
        Integer code = client.viaServer();
        if (code == null) {
            InProcess.runAndExit(args);
        } else {
            System.exit(code);
        }
    }

    /** The exit status from the server, or null when the command must run in-process. */
    Integer viaServer() {
        String mode = env.getOrDefault("ISOLA_SERVER", "on");
        if (mode.equals("off") || !Verbs.served(args)) {
            return null;
        }
        if (debug) {
            // the log level is the JVM's: a server cannot log one client's command at debug level
            say("--debug: running in-process, so that the debug log goes to stderr");
            return null;
        }
        long uid = ServerAddress.currentUid();
        ServerAddress address = ServerAddress.of(uid, env);
        try {
            for (int attempt = 0; attempt < 2; attempt++) {
                if (!connect(address, uid, !Verbs.NO_WAIT.contains(Verbs.verb(args)))) {
                    return null;
                }
                Integer code = session();
                if (code == null || code >= 0) {
                    return code;
                }
                // the server closed without taking the command (it was shutting down): once more
            }
            say("the server did not take the command twice; running in-process");
            return null;
        } catch (IOException e) {
            say("cannot use the server at " + address.socket() + " (" + e + "); running in-process");
            return null;
        } finally {
            closeQuietly();
        }
    }

    /**
     * Connects, starting the server when none listens and {@code start} says so; false when it
     * cannot be used.
     */
    private boolean connect(ServerAddress address, long uid, boolean start) throws IOException {
        closeQuietly();
        String unfit = ServerStarter.prepare(address, uid);
        if (unfit != null) {
            say("not using a server: " + unfit + "; running in-process");
            return false;
        }
        if (tryConnect(address.socket())) {
            return true;
        }
        if (!start) {
            say("no server listens and " + Verbs.verb(args) + " does not wait for one; running in-process");
            return false;
        }
        say("starting the server for " + address.socket());
        Process server = ServerStarter.spawn(address);
        long deadline = System.currentTimeMillis() + START_WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (tryConnect(address.socket())) {
                return true;
            }
            if (!server.isAlive() && server.exitValue() != 0) {
                say("the server did not start (exit " + server.exitValue() + ", see " + ServerStarter.log(address)
                        + "); running in-process");
                return false;
            }
            sleep(RETRY_MILLIS);
        }
        say("the server did not listen within " + START_WAIT_MILLIS / 1000 + " s; running in-process");
        return false;
    }

    private boolean tryConnect(Path socket) throws IOException {
        channel = UnixClientSocket.connect(socket);
        return channel != null;
    }

    /** Runs the command through the server: its status, null to fall back, -1 to try again. */
    private Integer session() throws IOException {
        long pid = ProcessHandle.current().pid();
        byte[] request =
                Wire.request(pid, System.console() != null, System.getProperty("user.dir"), List.of(args), env);
        // before the request: a signal that comes while the command starts must reach it too (the
        // server reads the frame after the request)
        forwardSignals();
        channel.sendFds(0, 1, 2); // first: the server takes them before it reads the request
        channel.write(request);
        ByteBuffer frame = ByteBuffer.allocate(5);
        if (!readFrame(frame)) {
            return -1;
        }
        byte type = frame.get(0);
        if (type == Wire.FALLBACK || type == Wire.REFUSED) {
            say(
                    type == Wire.FALLBACK
                            ? "the server does not run this command line; running in-process"
                            : "the server refused this process; running in-process");
            return killedMeanwhile();
        }
        if (type != Wire.ACCEPTED) {
            throw new IOException("unexpected frame " + type + " from the server");
        }
        accepted = true;
        while (readFrame(frame)) {
            if (frame.get(0) == Wire.EXIT) {
                return frame.getInt(1);
            }
            if (frame.get(0) == Wire.FALLBACK) {
                say("the server does not run this command line; running in-process");
                return killedMeanwhile(); // a verb found so before doing anything
            }
        }
        System.err.println("isola: the server ended while running the command (see its log in "
                + ServerAddress.of(ServerAddress.currentUid(), env).dir() + ")");
        return FailureStatus.of(args);
    }

    /** Null to run in-process; the status of a CLI killed by a signal that came before that. */
    private Integer killedMeanwhile() {
        int signal = pendingSignal;
        return signal == 0 ? null : 128 + signal;
    }

    /** Package-private for {@link Training}, which loads what this loads. */
    void forwardSignals() {
        for (String name : new String[] {"INT", "TERM", "HUP", "WINCH"}) {
            // an anonymous class, not a lambda (see ServerAddress.of)
            Signal.handle(new Signal(name), new SignalHandler() {
                @Override
                public void handle(Signal signal) {
                    if (!accepted && !name.equals("WINCH")) {
                        pendingSignal = signal.getNumber(); // if the command falls back, it ends here
                    }
                    ByteBuffer frame = ByteBuffer.allocate(5).put(Wire.SIGNAL).putInt(signal.getNumber());
                    try {
                        UnixClientSocket current = channel;
                        if (current != null) {
                            current.write(frame.array());
                        }
                    } catch (IOException e) {
                        // the server has gone; the main thread reports it
                    }
                }
            });
        }
    }

    /** Reads one 5-byte frame; false at the end of the stream. */
    private boolean readFrame(ByteBuffer frame) throws IOException {
        frame.clear();
        return channel.readFully(frame.array());
    }

    private void closeQuietly() {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void say(String message) {
        if (debug) {
            System.err.println("[DEBUG] isola client: " + message);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
