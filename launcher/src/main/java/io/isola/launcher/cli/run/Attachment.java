package io.isola.launcher.cli.run;

import io.isola.api.Container;
import io.isola.api.HostTerminal;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Connects the user's terminal to a container's {@link io.isola.api.Terminal}: raw mode while
 * attached (the container's terminal does the echo and line editing), keys to the container when
 * {@code -i}, its output to ours, and SIGWINCH (our window was resized) to its window size.
 */
public final class Attachment implements AutoCloseable {

    private final AutoCloseable rawMode;
    private final SignalHandler previousWinch;
    private final Signal winch = new Signal("WINCH");
    private final Thread output;

    private Attachment(Container container, boolean interactive) {
        this.rawMode = interactive ? HostTerminal.raw(0) : () -> {};
        this.previousWinch = Signal.handle(winch, signal -> resize(container));
        resize(container);
        this.output = daemon("isola-attach-out", () -> copy(container.stdout(), new FileOutputStream(FileDescriptor.out)));
        if (interactive) {
            daemon("isola-attach-in", () -> copy(new FileInputStream(FileDescriptor.in), container.stdin()));
        }
    }

    public static Attachment attach(Container container, boolean interactive) {
        return new Attachment(container, interactive);
    }

    /** Our terminal's size, or 80x24 when stdin is not a terminal. */
    public static io.isola.api.Terminal initialSize() {
        int[] size = HostTerminal.size(0);
        return size == null || size[0] == 0 ? io.isola.api.Terminal.of80x24() : new io.isola.api.Terminal(size[0], size[1]);
    }

    private static void resize(Container container) {
        int[] size = HostTerminal.size(0);
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

    private static void copy(InputStream in, OutputStream out) {
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
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
        Signal.handle(winch, previousWinch);
        rawMode.close();
    }
}
