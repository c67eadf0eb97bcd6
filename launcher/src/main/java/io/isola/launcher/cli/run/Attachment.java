package io.isola.launcher.cli.run;

import static io.isola.internal.nativ.Signals.SIGWINCH;

import io.isola.api.Container;
import io.isola.api.HostTerminal;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.launcher.attach.KeyRelay;
import io.isola.launcher.server.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Connects the user's terminal to a container's {@link io.isola.api.Terminal}: raw mode while
 * attached (the container's terminal does the echo and line editing), keys to the container when
 * {@code -i}, its output to the user's, and a resized window (SIGWINCH) to its window size.
 *
 * <p>The user's terminal is this process's fds 0 and 1 and its SIGWINCH; in the resident server
 * it is the client's fds, which the server took over, and the WINCH frames the client forwards.
 * Keys are read with poll on the terminal and a wake-up pipe, never in a read that outlives the
 * attachment: a resident server must not go on reading the user's keys once the command ended.
 */
public final class Attachment implements AutoCloseable {

    private final Container container;
    private final int in;
    private final AutoCloseable rawMode;
    private final AutoCloseable resizes;
    private final Thread output;
    private final KeyRelay input;

    private Attachment(Container container, boolean interactive, Invocation invocation) {
        this.container = container;
        this.in = invocation == null ? 0 : invocation.stdio(0);
        int out = invocation == null ? 1 : invocation.stdio(1);
        this.rawMode = interactive ? HostTerminal.raw(in) : () -> {};
        this.resizes = invocation == null
                ? onWinch(this::resize)
                : invocation.onSignal(number -> {
                    if (number == SIGWINCH) {
                        resize();
                    }
                });
        resize();
        FdOutputStream terminal = new FdOutputStream(Fds.dupCloexec(out));
        this.output = daemon("isola-attach-out", () -> copy(container.stdout(), terminal));
        if (interactive) {
            OutputStream keys = container.stdin();
            this.input = KeyRelay.start("isola-attach-in", in, true, 0, (buffer, length) -> {
                keys.write(buffer, 0, length);
                keys.flush();
                return true; // until the terminal ends or the attachment is closed
            });
        } else {
            this.input = null;
        }
    }

    /** Attaches the terminal of the command line being run: the server's client's, or ours. */
    public static Attachment attach(Container container, boolean interactive) {
        return new Attachment(container, interactive, Invocation.current());
    }

    /** The user's terminal size, or 80x24 when stdin is not a terminal. */
    public static io.isola.api.Terminal initialSize() {
        Invocation invocation = Invocation.current();
        int[] size = HostTerminal.size(invocation == null ? 0 : invocation.stdio(0));
        return size == null || size[0] == 0
                ? io.isola.api.Terminal.of80x24()
                : new io.isola.api.Terminal(size[0], size[1]);
    }

    private static AutoCloseable onWinch(Runnable resize) {
        Signal winch = new Signal("WINCH");
        SignalHandler previous = Signal.handle(winch, signal -> resize.run());
        return () -> Signal.handle(winch, previous);
    }

    private void resize() {
        int[] size = HostTerminal.size(in);
        if (size != null && size[0] > 0 && size[1] > 0) {
            try {
                container.resizeTerminal(size[0], size[1]);
            } catch (RuntimeException e) {
                // the container ended meanwhile
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void copy(InputStream from, OutputStream to) {
        byte[] buffer = new byte[8192];
        try (to) {
            for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // EIO from the master once the container's side is closed: the end of the output
        }
    }

    /** Waits (bounded) for the container's last output to be copied. */
    public void drain() throws InterruptedException {
        output.join(2000);
    }

    @Override
    public void close() throws Exception {
        try {
            resizes.close();
            if (input != null) {
                input.close();
            }
        } finally {
            rawMode.close();
        }
    }
}
