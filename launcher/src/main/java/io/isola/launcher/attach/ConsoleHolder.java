package io.isola.launcher.attach;

import io.isola.api.Container;
import io.isola.lifecycle.MonitorProcess;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the terminal, or the kept stdin and output pipes, of a detached container run with -t or
 * -i, in whatever monitors it (the resident server, or its monitor process), for as long as it
 * runs: copies its output to its log (which {@code logs} reads) and to every attach connected
 * ({@link AttachWire}), passes their keys to its stdin and their window sizes to its terminal.
 *
 * <p>Only the container's owner reaches it: the socket is in the container's state directory
 * (the owner's, 0700) and the kernel's record of each peer's uid must be the owner's or root's.
 * The terminal's master never leaves this process (attaches get its bytes, never the fd), and the
 * process is non-dumpable when it runs as root ({@code io.isola.internal.nativ.Dumpability}).
 *
 * <p>Output goes to each attach as it is read, under one lock: an attach that stops reading holds
 * up the container's output, as a stalled {@code docker attach} does.
 */
public final class ConsoleHolder implements MonitorProcess.Holder {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleHolder.class);
    /** How long the output that the container wrote last may take to reach the log once it has ended. */
    private static final long DRAIN_MILLIS = 2000;

    private final Path stateDir;
    private final Container container;
    private final ConsoleMode mode;
    private final Path log;
    private final FileChannel logFile;
    /** Where the log was when the container started: {@code start -a} gets what it wrote from here on. */
    private final long startOffset;

    private final ServerSocketChannel server;
    private final UserPrincipal owner;
    private final UserPrincipal root;
    /** Guards the log, {@link #attached} and {@link #exitCode}: an attach registers between two pieces of output. */
    private final Object output = new Object();

    private final List<SocketChannel> attached = new CopyOnWriteArrayList<>();
    /** Every connection, attached or still saying hello: all are closed with the holder. */
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();

    private final List<Thread> pumps = new ArrayList<>();
    private final Object stdin = new Object();
    private Integer exitCode;
    private boolean logFailed;

    private ConsoleHolder(Path stateDir, Container container, ConsoleMode mode, Path log) throws IOException {
        this.stateDir = stateDir;
        this.container = container;
        this.mode = mode;
        this.log = log;
        this.logFile = FileChannel.open(
                log,
                Set.of(
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND,
                        LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        this.startOffset = logFile.size();
        this.server = AttachSocket.listen(stateDir);
        this.owner = Files.getOwner(stateDir.resolve(AttachSocket.NAME), LinkOption.NOFOLLOW_LINKS);
        this.root = rootPrincipal();
    }

    /**
     * Starts holding {@code container}, started with a terminal or pipes as {@code mode} says, its
     * output appended to {@code log}; attaches may connect once this returns.
     */
    public static ConsoleHolder hold(Path stateDir, Container container, ConsoleMode mode, Path log) {
        ConsoleHolder holder;
        try {
            holder = new ConsoleHolder(stateDir, container, mode, log);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot hold the console of container " + container.id() + " in " + stateDir, e);
        }
        String name = container.id().substring(0, Math.min(12, container.id().length()));
        holder.pumps.add(daemon("isola-console-out-" + name, () -> holder.pump(container.stdout(), AttachWire.STDOUT)));
        if (!mode.tty()) {
            holder.pumps.add(
                    daemon("isola-console-err-" + name, () -> holder.pump(container.stderr(), AttachWire.STDERR)));
        }
        daemon("isola-console-attach-" + name, holder::accept);
        return holder;
    }

    /**
     * Returns once the container's output has reached the log, before its exit is recorded (a
     * {@code wait} then {@code logs} sees all of it): when the terminal or the pipes end, or a
     * moment after its first process has ended while another process (with the host's PIDs) still
     * holds them.
     */
    @Override
    public void awaitOutput() throws InterruptedException {
        try {
            long ended = 0;
            for (Thread pump : pumps) {
                while (pump.isAlive()) {
                    pump.join(50);
                    if (ended == 0 && !running(container.pid())) {
                        ended = System.nanoTime();
                    }
                    if (ended != 0 && System.nanoTime() - ended > DRAIN_MILLIS * 1_000_000) {
                        return;
                    }
                }
            }
        } finally {
            // before the exit is recorded, which lets a start run it again with a holder (and socket) of its own
            stopListening();
        }
    }

    /** Whether {@code pid} (our child) still runs: not gone, not a zombie waiting to be reaped. */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The container has ended with {@code code} and its exit is recorded: the output still read
     * (bounded) goes out, then each attach gets the code and the socket goes.
     */
    @Override
    public void exited(int code) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_MILLIS * 1_000_000;
        for (Thread pump : pumps) {
            pump.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        synchronized (output) {
            exitCode = code;
            for (SocketChannel channel : attached) {
                try {
                    AttachWire.write(channel, AttachWire.EXIT, code);
                } catch (IOException e) {
                    // it detached meanwhile
                }
                closeQuietly(channel);
            }
            attached.clear();
        }
        close();
    }

    /** New attaches are refused from now on (the socket file goes); those connected stay. */
    private synchronized void stopListening() {
        if (!server.isOpen()) {
            return; // and the socket file may be the holder's of the container's next run
        }
        closeQuietly(server);
        try {
            Files.deleteIfExists(stateDir.resolve(AttachSocket.NAME));
        } catch (IOException e) {
            LOG.debug("cannot remove the attach socket of {}: {}", container.id(), e.toString());
        }
    }

    /** Stops listening (the socket file goes); attaches still connected are closed. */
    public void close() {
        stopListening();
        synchronized (output) {
            attached.clear();
            connections.forEach(ConsoleHolder::closeQuietly);
            closeQuietly(logFile);
        }
    }

    private void pump(InputStream from, byte stream) {
        byte[] buffer = new byte[8192];
        try {
            for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
                synchronized (output) {
                    appendToLog(buffer, n);
                    for (SocketChannel channel : attached) {
                        try {
                            AttachWire.write(channel, stream, buffer, 0, n);
                        } catch (IOException e) {
                            attached.remove(channel); // it detached
                            closeQuietly(channel);
                        }
                    }
                }
            }
        } catch (IOException e) {
            // EIO from the terminal's master once its last user has gone: the end of the output
        }
    }

    private void appendToLog(byte[] buffer, int length) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
            while (bytes.hasRemaining()) {
                logFile.write(bytes);
            }
        } catch (IOException e) {
            if (!logFailed) { // once: a full disk would otherwise log every line the container writes
                logFailed = true;
                LOG.warn("container {}: cannot append its output to {}: {}", container.id(), log, e.toString());
            }
        }
    }

    private void accept() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                return; // closed: the container has ended
            }
            connections.add(channel);
            daemon("isola-console-attached", () -> serve(channel));
        }
    }

    /** One attach, from its hello until it detaches or the container ends. */
    private void serve(SocketChannel channel) {
        try (channel) {
            if (!AttachSocket.mayAttach(channel, owner, root)) {
                LOG.warn(
                        "container {}: refused an attach by another user than its owner {}",
                        container.id(),
                        owner.getName());
                return;
            }
            AttachWire.Frame hello = AttachWire.read(channel);
            if (hello.type() != AttachWire.HELLO || hello.payload().length != 12) {
                return;
            }
            int flags = hello.intAt(0);
            boolean keys = (flags & AttachWire.FLAG_STDIN) != 0 && mode.stdin();
            AttachWire.write(channel, AttachWire.READY, mode.tty() ? 1 : 0, mode.stdin() ? 1 : 0);
            if (mode.tty()) {
                resize(hello.intAt(4), hello.intAt(8)); // the attaching terminal's size, as Docker's attach sets it
            }
            synchronized (output) {
                if ((flags & AttachWire.FLAG_SINCE_START) != 0) {
                    replay(channel);
                }
                if (exitCode != null) {
                    AttachWire.write(channel, AttachWire.EXIT, exitCode);
                    return;
                }
                attached.add(channel);
            }
            while (true) {
                AttachWire.Frame frame = AttachWire.read(channel);
                if (frame.type() == AttachWire.STDIN && keys) {
                    toStdin(frame.payload());
                } else if (frame.type() == AttachWire.RESIZE && mode.tty() && frame.payload().length == 8) {
                    resize(frame.intAt(0), frame.intAt(4));
                }
            }
        } catch (IOException e) {
            // detached, or the container ended and the holder closed it
        } finally {
            attached.remove(channel);
            connections.remove(channel);
        }
    }

    /** What the container wrote since it started, from the log, before what it writes next. */
    private void replay(SocketChannel channel) throws IOException {
        try (FileChannel written = FileChannel.open(log, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            written.position(startOffset);
            ByteBuffer buffer = ByteBuffer.allocate(AttachWire.MAX_PAYLOAD);
            for (int n = written.read(buffer); n > 0; n = written.read(buffer)) {
                AttachWire.write(channel, AttachWire.STDOUT, buffer.array(), 0, n);
                buffer.clear();
            }
        }
    }

    private void toStdin(byte[] bytes) {
        synchronized (stdin) {
            try {
                OutputStream in = container.stdin();
                in.write(bytes);
                in.flush();
            } catch (IOException e) {
                // the container closed its stdin or ended
            }
        }
    }

    private void resize(int columns, int rows) {
        if (columns > 0 && rows > 0 && columns <= 65535 && rows <= 65535) {
            try {
                container.resizeTerminal(columns, rows);
            } catch (RuntimeException e) {
                // the container ended meanwhile
            }
        }
    }

    private static UserPrincipal rootPrincipal() {
        try {
            return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("root");
        } catch (IOException e) {
            return null; // no such name in passwd: only the owner attaches
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
