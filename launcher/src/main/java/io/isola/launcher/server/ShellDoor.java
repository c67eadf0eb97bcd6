package io.isola.launcher.server;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.launcher.client.ServerAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resident server's door for the shell client in {@code lib/shell-client.bash}: a request FIFO
 * {@code <dir>/s-<key>.fifo} in the server's 0700 directory, so that only the server's user (and
 * root) can open it: the kernel's check, as SO_PEERCRED is for the unix socket. bash reaches no
 * unix socket, and a TCP port on loopback is open to every local user and to every container that
 * shares the host's network, which can sniff and replay what crosses it (issue 23): the server
 * listens on no IP socket and holds no secret. bin/isola finds the door by
 * {@code <dir>/s-<key>.shell} beside the socket:
 *
 * <pre>
 * isola-shell-endpoint 2
 * PID STARTTIME                    the server's, from /proc/PID/stat: bash tells a live server by them
 * ISOLA_HOME                       the installation the server runs (bin/isola's)
 * NAME=VALUE or NAME               each of {@link ServerAddress#KEYED_ENV}, set or unset (or empty)
 * </pre>
 *
 * <p>A client announces a per-command channel with one line, written at once (shorter than
 * PIPE_BUF, so lines of concurrent clients never mix): {@code NAME PID UPFD DOWNFD}; see
 * {@link ShellConnection}. The channel is a pair of FIFOs {@code NAME.i} and {@code NAME.o}: one of
 * the {@link #POOL} pairs {@code p-N} the server keeps ready, claimed by creating
 * {@code p-N.claim} with bash's noclobber (O_EXCL: one claimer wins; it writes its pid there, and
 * the claim stays until that process has gone),
 * because a {@code mkfifo} fork of bash's costs a served command 5-15 ms on a loaded host; or,
 * when none is free, a pair {@code c-PID-N} the client makes itself. Nothing a command sends authorises another: the channel's FIFOs are
 * unlinked as the server opens them, and a line naming FIFOs that are gone or that the named
 * process does not hold open is dropped.
 */
final class ShellDoor implements AutoCloseable {

    static final String FILE_MAGIC = "isola-shell-endpoint 2";
    /** The longest announcement: a name, a pid and two fd numbers. */
    static final int MAX_LINE = 128;
    /** Channel pairs kept ready, enough for the commands that start at once from one user's shells. */
    static final int POOL = 8;

    private static final Logger LOG = LoggerFactory.getLogger(ShellDoor.class);

    private final Path descriptor;
    private final Path fifo;
    private final int fd;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean skipping;
    /** The ready pairs' names; new names for new pairs (a name is never reused while a client may hold it). */
    private final Set<String> pool = ConcurrentHashMap.newKeySet();
    /** p-SERVERPID-: bash takes pairs of the server it announces to only (servers share the directory). */
    private final String prefix = "p-" + ProcessHandle.current().pid() + "-"
            + Long.toHexString(new java.security.SecureRandom().nextInt() & 0xffffffL);

    private long sequence;

    private ShellDoor(Path descriptor, Path fifo, int fd) {
        this.descriptor = descriptor;
        this.fifo = fifo;
        this.fd = fd;
    }

    /**
     * Opens the door of {@code socket}'s server and publishes it; null when a shell client could
     * not tell this server is the one it wants (they then all go through the JVM client), which is
     * logged.
     */
    static ShellDoor open(Path socket, Map<String, String> env) throws IOException {
        String home = System.getProperty("isola.home");
        StringBuilder identity = new StringBuilder();
        identity.append(home).append('\n');
        for (String name : ServerAddress.KEYED_ENV) {
            String value = ServerAddress.keyedValue(env, name);
            identity.append(name).append(value == null ? "" : "=" + value).append('\n');
        }
        String unfit = unfitBecause(home, identity);
        if (unfit != null) {
            LOG.info("no shell door: {}", unfit);
            return null;
        }
        String base = socket.toString().replaceFirst("\\.sock$", "");
        Path fifo = Path.of(base + ".fifo");
        Files.deleteIfExists(fifo); // a killed server's: we hold the lock now
        Native n = Native.get();
        n.check("mkfifo " + fifo, n.libc().mkfifo(fifo.toString(), 0600));
        Files.setPosixFilePermissions(fifo, PosixFilePermissions.fromString("rw-------")); // whatever the umask
        // read and write: never blocks, and never reads end-of-file when a client closes
        int fd = Fds.open(fifo.toString(), Fds.O_RDWR | Fds.O_NONBLOCK | Fds.O_NOFOLLOW, 0);
        Path descriptor = Path.of(base + ".shell");
        try {
            long pid = ProcessHandle.current().pid();
            publish(descriptor, FILE_MAGIC + "\n" + pid + " " + ShellConnection.startTime(pid) + "\n" + identity);
        } catch (IOException | RuntimeException e) {
            Fds.closeQuietly(fd);
            Files.deleteIfExists(fifo);
            throw e;
        }
        ShellDoor door = new ShellDoor(descriptor, fifo, fd);
        door.removePairs(door::deadServers); // a killed server's
        door.replenish();
        return door;
    }

    /** Null when a shell client can tell this server by {@code identity}; else why it cannot. */
    private static String unfitBecause(String home, CharSequence identity) {
        if (home == null) {
            return "no isola.home";
        }
        if (System.getProperty("isola.conf") != null || System.getProperty("isola.bundles") != null) {
            return "isola.conf or isola.bundles set as properties, which bin/isola cannot see";
        }
        if (identity.chars().filter(c -> c == '\n').count() != 1 + ServerAddress.KEYED_ENV.size()) {
            return "a line break in the home or the environment";
        }
        return null;
    }

    /** Written beside and renamed: a client reads the old file or the new one, never half of one. */
    private static void publish(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(
                "." + file.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(temporary);
        try (SeekableByteChannel out = Files.newByteChannel(
                temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            out.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    int fd() {
        return fd;
    }

    Path directory() {
        return fifo.getParent();
    }

    /** The announcements that can be read now; a line longer than {@link #MAX_LINE} is dropped whole. */
    List<String> announcements() {
        Native n = Native.get();
        byte[] buffer = new byte[4096];
        List<String> lines = new ArrayList<>();
        long count;
        while ((count = n.libc().read(fd, buffer, buffer.length)) > 0) {
            for (int i = 0; i < count; i++) {
                byte b = buffer[i];
                if (b == '\n') {
                    if (!skipping) {
                        lines.add(pending.toString(StandardCharsets.UTF_8));
                    }
                    pending.reset();
                    skipping = false;
                } else if (pending.size() >= MAX_LINE) {
                    skipping = true;
                    pending.reset();
                } else if (!skipping) {
                    pending.write(b);
                }
            }
        }
        if (count < 0 && n.lastErrno() != Errno.EAGAIN && n.lastErrno() != Errno.EINTR) {
            LOG.warn("cannot read the shell door {}: {}", fifo, Errno.name(n.lastErrno()));
        }
        return lines;
    }

    /** Whether {@code name} is one of the ready pairs (which the server made: no check of who did). */
    boolean pooled(String name) {
        return pool.contains(name);
    }

    /**
     * A pooled pair was opened (and unlinked); {@link #replenish} makes a new pair. Its claim stays
     * until its claimer has gone ({@link #sweep}): a shell that saw the pair and no claim just
     * before must fail to claim it, or it would open (and so create) files of that name.
     */
    void consumed(String name) {
        pool.remove(name);
    }

    /** Makes pairs until {@link #POOL} are ready; a failure only leaves clients to make their own. */
    synchronized void replenish() {
        Native n = Native.get();
        while (pool.size() < POOL) {
            String name = prefix + Long.toHexString(sequence++);
            for (String end : new String[] {".o", ".i"}) { // a shell finds a pair by NAME.i: it comes last
                Path path = directory().resolve(name + end);
                if (n.libc().mkfifo(path.toString(), 0600) < 0) {
                    LOG.warn("cannot make the channel FIFO {}: {}", path, Errno.name(n.lastErrno()));
                    return;
                }
            }
            pool.add(name);
        }
    }

    /** Removes the pairs that {@code stale} names, all three files: {@code NAME.i}, {@code NAME.o}, {@code NAME.claim}. */
    private void removePairs(java.util.function.Predicate<String> stale) {
        Set<String> names = new java.util.TreeSet<>();
        try (DirectoryStream<Path> pairs = Files.newDirectoryStream(directory(), "p-*.{i,o,claim}")) {
            for (Path pair : pairs) {
                names.add(pair.getFileName().toString().replaceFirst("\\.(i|o|claim)$", ""));
            }
            for (String name : names) {
                if (stale.test(name)) {
                    pool.remove(name);
                    for (String end : new String[] {".i", ".o", ".claim"}) {
                        Files.deleteIfExists(directory().resolve(name + end));
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("sweeping {}: {}", directory(), e.toString());
        }
    }

    /**
     * Whether the pair {@code name} of ours is done with: claimed by a process that has gone (before
     * it announced the pair, or after the server opened it), or no ready pair and claimed by none.
     */
    private boolean spent(String name) {
        if (!name.startsWith(prefix)) {
            return false; // another server's, which sweeps its own
        }
        Path claim = directory().resolve(name + ".claim");
        try {
            String pid = Files.readString(claim).strip();
            if (pid.isEmpty()) { // made, its pid not yet written: a claimer that stalls there is not gone
                return Files.getLastModifiedTime(claim)
                        .toInstant()
                        .isBefore(java.time.Instant.now().minusSeconds(60));
            }
            return !pid.matches("[0-9]{1,10}") || !Files.exists(Path.of("/proc", pid));
        } catch (java.nio.file.NoSuchFileException e) {
            return !pool.contains(name);
        } catch (IOException e) {
            return true;
        }
    }

    /** Whether the pair {@code name} is of a server that has gone (a pid that runs no more, or ours now). */
    private boolean deadServers(String name) {
        String[] parts = name.split("-");
        return parts.length != 3
                || !parts[1].matches("[0-9]{1,10}")
                || !Files.exists(Path.of("/proc", parts[1]))
                || parts[1].equals(Long.toString(ProcessHandle.current().pid()));
    }

    /**
     * Removes the channel FIFOs of clients that died before the server opened them (a client
     * cannot remove files without a fork, and a server that died never opened them), and pairs
     * whose claimer has gone.
     */
    synchronized void sweep() {
        removePairs(this::spent);
        replenish();
        try (DirectoryStream<Path> channels = Files.newDirectoryStream(directory(), "c-*")) {
            for (Path channel : channels) {
                String[] parts = channel.getFileName().toString().split("[-.]");
                if (parts.length == 4 && parts[1].matches("[0-9]{1,10}") && !Files.exists(Path.of("/proc", parts[1]))) {
                    Files.deleteIfExists(channel);
                }
            }
        } catch (IOException e) {
            LOG.debug("sweeping {}: {}", directory(), e.toString());
        }
    }

    /** Unpublishes, then closes: a shell client then finds no door, or a dead server's pid. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(descriptor);
            Files.deleteIfExists(fifo);
            removePairs(name -> name.startsWith(prefix));
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", descriptor, e.toString());
        } finally {
            Fds.closeQuietly(fd);
        }
    }
}
