package io.isola.launcher.server;

import io.isola.internal.nativ.Fds;
import io.isola.launcher.client.ServerAddress;
import io.isola.launcher.client.ServerStarter;
import io.isola.launcher.client.Wire;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accept loop of the resident server: one thread per command, at most {@link #MAX_SESSIONS}
 * at once (beyond them a client is refused and closed, never given a thread: a local user's
 * thousands of connections drove a server to 6,313 threads), from its unix socket (the JVM
 * client) and its {@link ShellDoor} (bin/isola's shell client), the socket owned by the lock
 * beside it (whoever holds {@code <socket>.lock} owns the socket path: a killed server's socket
 * file is replaced by the next server, two clients starting servers at once get one), and the
 * idle exit. It stops listening before it exits, so a client either reaches a server that will
 * run its command or finds no server and starts one.
 */
final class ResidentServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResidentServer.class);
    private static final int POLL_MILLIS = 1000;
    private static final long SWEEP_NANOS = 1_000_000_000L;
    /** Commands served at once; a client beyond them runs its command in-process. */
    static final int MAX_SESSIONS = 64;

    private final Path socket;
    private final Duration idle;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final AtomicInteger sessions = new AtomicInteger();
    private final Sockets sockets = Sockets.linux();
    private volatile long lastActive = System.nanoTime();
    private volatile int listener = -1;
    private volatile ShellDoor shell;
    private final PeerLog refusals = new PeerLog(LOG);
    /** Each verb's next parser, made after a command rather than while a client waits. */
    private final PreparedParsers parsers = new PreparedParsers();

    private ResidentServer(Path socket, Duration idle, FileChannel lockFile, FileLock lock) {
        this.socket = socket;
        this.idle = idle;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * The server for {@code socket}, or null when another process serves it already.
     *
     * @throws IOException when the socket's directory is not fit to serve from: not this user's,
     *     a link, or open to other users (the clients refuse it too; see {@link ServerAddress#unfitBecause})
     */
    static ResidentServer claim(Path socket, Duration idle) throws IOException {
        ServerStarter.makeDirectory(socket.getParent());
        String unfit = unfitDirectory(socket);
        if (unfit != null) {
            throw new IOException("not serving: " + unfit);
        }
        FileChannel channel =
                FileChannel.open(Path.of(socket + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            LOG.info("another server serves {}", socket);
            return null;
        }
        // who serves: for scripts that stop servers (CI), and for people wondering which process it is
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        return new ResidentServer(socket, idle, channel, lock);
    }

    /** Serves until idle; returns the exit status. */
    int serve() throws IOException {
        Files.deleteIfExists(socket); // a killed server's: we hold the lock now
        listener = sockets.listen(socket, 128);
        // SIGTERM: stop listening first, as the idle exit does (the lock is ours until we are gone)
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                if (listener >= 0) { // else the paths may be the next server's already
                                    Files.deleteIfExists(socket);
                                    closeShell();
                                }
                            } catch (IOException e) {
                                // a stale socket is replaced by the next server
                            }
                        },
                        "isola-server-shutdown"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        long uid = HostIdentity.current().uid();
        Map<String, String> env = System.getenv();
        try {
            shell = ShellDoor.open(socket, env);
        } catch (IOException | RuntimeException e) {
            // the JVM client still reaches us; bin/isola's shell client then hands over to it
            LOG.warn("no shell door: {}", e.toString());
        }
        ShellDoor door = shell; // the shutdown hook may close the field's meanwhile
        int[] polled = door == null ? new int[] {listener} : new int[] {listener, door.fd()};
        LOG.info(
                "serving uid {} at {} (pid {}, idle timeout {} s)",
                uid,
                socket,
                ProcessHandle.current().pid(),
                idle.toSeconds());
        long swept = System.nanoTime();
        while (true) {
            int ready = sockets.poll(polled, POLL_MILLIS);
            if (ready == 0) {
                int fd = sockets.accept(listener);
                if (fd >= 0) {
                    start(new JvmConnection(fd, sockets), uid, env);
                }
            } else if (ready == 1) {
                for (String announcement : door.announcements()) {
                    ShellConnection connection = ShellConnection.open(door, announcement, uid, refusals);
                    if (connection != null) {
                        start(connection, uid, env);
                    }
                }
                door.replenish(); // once the command runs: not in its way
            } else if (idleLongEnough()) {
                LOG.info("idle for {} s with no detached container: exiting", idle.toSeconds());
                break;
            }
            if (System.nanoTime() - swept > SWEEP_NANOS) { // also when busy: a pool of dead claims is no pool
                // a chmod by mistake opens the directory to others, who could then swap the
                // channels of the shell clients: no client is served from there any more
                String unfit = unfitDirectory(socket);
                if (unfit != null) {
                    LOG.warn("not serving any more: {}", unfit);
                    break;
                }
                if (door != null) {
                    door.sweep();
                }
                swept = System.nanoTime();
            }
        }
        stopListening();
        // a client that connected just before we stopped listening is in the backlog, never
        // accepted: its connection is reset when the listener closes and it starts a new server.
        // An unfit directory's server stays for the commands and detached containers it has (the
        // idle exit waits for none).
        while (sessions.get() > 0 || ResidentMonitor.running() > 0) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return 0;
    }

    /** Null when {@code socket}'s directory is fit to serve from, as the JVM client checks it; else why not. */
    private static String unfitDirectory(Path socket) {
        return new ServerAddress(socket.getParent(), socket)
                .unfitBecause(HostIdentity.current().uid());
    }

    /** Runs {@code connection}'s command on a thread of its own, or refuses it when {@link #MAX_SESSIONS} run. */
    private void start(ClientConnection connection, long uid, Map<String, String> env) {
        if (sessions.incrementAndGet() > MAX_SESSIONS) {
            sessions.decrementAndGet();
            refusals.warn(
                    "sessions",
                    "refused a client: {} commands run already, the most this server runs at once",
                    MAX_SESSIONS);
            try {
                connection.frame(Wire.REFUSED, 0);
            } catch (IOException e) {
                // it has gone already
            }
            connection.close();
            return;
        }
        Session session = new Session(connection, uid, env, refusals, parsers);
        Thread thread = new Thread(
                () -> {
                    try {
                        session.run();
                    } finally {
                        lastActive = System.nanoTime();
                        sessions.decrementAndGet();
                    }
                },
                "isola-session");
        thread.setDaemon(true);
        thread.start();
    }

    private boolean idleLongEnough() {
        return sessions.get() == 0
                && ResidentMonitor.running() == 0
                && System.nanoTime() - lastActive >= idle.toNanos();
    }

    private void stopListening() throws IOException {
        if (listener >= 0) {
            Files.deleteIfExists(socket);
            closeShell();
            Fds.closeQuietly(listener);
            listener = -1;
        }
    }

    private synchronized void closeShell() {
        if (shell != null) {
            shell.close();
            shell = null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stopListening();
        } finally {
            lock.release();
            lockFile.close();
        }
    }
}
