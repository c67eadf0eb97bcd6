package io.isola.launcher.attach;

import static io.isola.internal.nativ.Signals.SIGHUP;
import static io.isola.internal.nativ.Signals.SIGINT;
import static io.isola.internal.nativ.Signals.SIGTERM;
import static io.isola.internal.nativ.Signals.SIGWINCH;

import io.isola.api.HostTerminal;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.launcher.server.Invocation;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * The attaching side ({@code isola attach}, {@code start -a}): connects the user's terminal or
 * streams to a detached container's {@link ConsoleHolder} until the container ends, the user
 * types the detach keys, or a signal ends it. The user's streams are this process's fds 0-2, or in
 * the resident server the client's, which the server took over; its signals are this JVM's or
 * the client's forwarded ones. Keys are read with poll on the terminal and a wake-up pipe, never
 * in a read that outlives the attach (a server must not read the user's keys afterwards).
 */
public final class AttachedConsole {

    /** How often a served attach looks whether its client is still there. */
    private static final int CLIENT_CHECK_MILLIS = 500;

    /** How an attach ended: the container's exit (with its code), the detach keys, a signal, or a lost holder. */
    public enum End {
        EXITED,
        DETACHED,
        SIGNALLED,
        LOST
    }

    /** @param code the container's exit code (EXITED) or 128 + the signal (SIGNALLED) */
    public record Result(End end, int code) {}

    /** What the caller asks for. {@code proxy} receives the user's signals for a container without a terminal (--sig-proxy); null: none. */
    public record Options(boolean stdin, boolean sinceStart, DetachKeys keys, IntConsumer proxy) {}

    private final int in;
    private final int out;
    private final int err;
    private final Options options;
    private volatile End end;
    private volatile int signal;
    private SocketChannel channel;
    private boolean tty;

    private AttachedConsole(Options options) {
        Invocation invocation = Invocation.current();
        this.in = invocation == null ? 0 : invocation.stdio(0);
        this.out = invocation == null ? 1 : invocation.stdio(1);
        this.err = invocation == null ? 2 : invocation.stdio(2);
        this.options = options;
    }

    /** Attaches to the holder in {@code stateDir} until the attach ends; throws when there is no holder to reach. */
    public static Result attach(Path stateDir, Options options) throws IOException, InterruptedException {
        return new AttachedConsole(options).run(stateDir);
    }

    private Result run(Path stateDir) throws IOException, InterruptedException {
        channel = AttachSocket.connect(stateDir);
        KeyRelay keys = null;
        AutoCloseable rawMode = () -> {};
        AutoCloseable signals = () -> {};
        try (SocketChannel open = channel) {
            int[] size = HostTerminal.size(in);
            AttachWire.write(
                    channel,
                    AttachWire.HELLO,
                    (options.stdin() ? AttachWire.FLAG_STDIN : 0)
                            | (options.sinceStart() ? AttachWire.FLAG_SINCE_START : 0),
                    size == null ? 0 : size[0],
                    size == null ? 0 : size[1]);
            AttachWire.Frame ready = AttachWire.read(channel);
            if (ready.type() != AttachWire.READY || ready.payload().length != 8) {
                throw new IOException("the container's holder did not answer the attach");
            }
            tty = ready.intAt(0) != 0;
            boolean keysToContainer = options.stdin() && ready.intAt(4) != 0;
            if (tty && keysToContainer && size == null) {
                // as Docker's: keys from a file or a pipe would reach a terminal in raw mode
                throw new IllegalArgumentException("the input device is not a TTY: the container has a terminal;"
                        + " attach from a terminal, or with --no-stdin");
            }
            signals = onSignals();
            if (keysToContainer && tty) {
                rawMode = HostTerminal.raw(in); // the container's terminal echoes and edits lines
            }
            Invocation client = Invocation.current();
            if (keysToContainer || client != null) {
                keys = KeyRelay.start(
                        "isola-attach-keys",
                        in,
                        keysToContainer,
                        client == null ? 0 : CLIENT_CHECK_MILLIS,
                        new ToHolder(client));
            }
            return relayOutput();
        } finally {
            if (keys != null) {
                keys.close();
            }
            closeQuietly(signals);
            closeQuietly(rawMode);
        }
    }

    /** The container's output to the user's until the holder says it has ended or the attach ends. */
    private Result relayOutput() {
        try (OutputStream stdout = new FdOutputStream(Fds.dupCloexec(out));
                OutputStream stderr = new FdOutputStream(Fds.dupCloexec(err))) {
            while (true) {
                AttachWire.Frame frame = AttachWire.read(channel);
                if (frame.type() == AttachWire.EXIT && frame.payload().length == 4) {
                    return new Result(End.EXITED, frame.intAt(0));
                }
                OutputStream to =
                        frame.type() == AttachWire.STDOUT ? stdout : frame.type() == AttachWire.STDERR ? stderr : null;
                if (to != null) {
                    to.write(frame.payload());
                    to.flush();
                }
            }
        } catch (IOException e) {
            End ended = end;
            return ended == null
                    ? new Result(End.LOST, 0)
                    : new Result(ended, ended == End.SIGNALLED ? 128 + signal : 0);
        }
    }

    /**
     * Keys to the holder until the user's stdin ends, the detach keys come, or the attach ends; in
     * the resident server also the watch for a client that has gone (killed), whose terminal the
     * server must then let go of.
     */
    private final class ToHolder implements KeyRelay.Keys {
        private final DetachKeys.Matcher matcher = options.keys().matcher();
        private final Invocation client;

        ToHolder(Invocation client) {
            this.client = client;
        }

        @Override
        public boolean pass(byte[] buffer, int length) throws IOException {
            byte[] pass = matcher.filter(buffer, length);
            if (pass.length > 0) {
                AttachWire.write(channel, AttachWire.STDIN, pass, 0, pass.length);
            }
            if (matcher.detached()) {
                finish(End.DETACHED);
                return false;
            }
            return true;
        }

        /** The container's stdin stays open, as with Docker's attach; a served attach still watches its client. */
        @Override
        public boolean stdinEnded() {
            return client != null;
        }

        @Override
        public boolean stillWanted() {
            if (client.isClientGone()) {
                signal = 9; // as if the CLI had been killed, which it was
                finish(End.SIGNALLED);
                return false;
            }
            return true;
        }
    }

    /** Window sizes to the container's terminal; HUP, INT and TERM to the container (--sig-proxy) or end the attach. */
    private AutoCloseable onSignals() {
        IntConsumer handler = number -> {
            if (number == SIGWINCH) {
                resize();
            } else if (options.proxy() != null && !tty) {
                options.proxy().accept(number);
            } else if (number == SIGHUP || number == SIGINT || number == SIGTERM) {
                signal = number;
                finish(End.SIGNALLED);
            }
        };
        Invocation invocation = Invocation.current();
        if (invocation != null) {
            return invocation.onSignal(handler::accept);
        }
        java.util.Map<sun.misc.Signal, sun.misc.SignalHandler> previous = new java.util.HashMap<>();
        for (String name : new String[] {"WINCH", "HUP", "INT", "TERM"}) {
            sun.misc.Signal each = new sun.misc.Signal(name);
            previous.put(each, sun.misc.Signal.handle(each, received -> handler.accept(received.getNumber())));
        }
        return () -> previous.forEach(sun.misc.Signal::handle);
    }

    private void resize() {
        int[] size = HostTerminal.size(in);
        if (tty && size != null && size[0] > 0 && size[1] > 0) {
            try {
                AttachWire.write(channel, AttachWire.RESIZE, size[0], size[1]);
            } catch (IOException e) {
                // the attach is ending
            }
        }
    }

    /** Ends the attach: closing the channel ends the output relay's read; the container runs on. */
    private void finish(End how) {
        end = how;
        try {
            channel.close();
        } catch (IOException e) {
            // closed already
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to restore
        }
    }
}
