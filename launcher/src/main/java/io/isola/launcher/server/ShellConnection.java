package io.isola.launcher.server;

import static io.isola.internal.nativ.FileStat.S_IFCHR;
import static io.isola.internal.nativ.FileStat.S_IFIFO;
import static io.isola.internal.nativ.FileStat.S_IFMT;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.launcher.client.Wire;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One shell client's command, over the pair of FIFOs it made in the server's 0700 directory and
 * announced at the {@link ShellDoor}: NUL-separated fields and text lines, what bash writes and
 * reads with builtins.
 *
 * <pre>
 * announcement  "c-PID-N PID UPFD DOWNFD\n"   (c-PID-N.i: client to server, c-PID-N.o: server to client)
 * client -> server  PID "\0" STDIN STDOUT STDERR "\0" TTY(0|1) "\0" CWD "\0" N "\0" N x (ARG "\0")
 *                   written before the announcement, then any number of "S" SIGNO "\n"
 *                   (end of file: the client has gone)
 * server -> client  lines: "A" accepted, "X" CODE exit, "F" fallback, "R" refused (as in {@link Wire})
 * </pre>
 *
 * <p>Who the client is, the kernel says: only the server's user (and root) can make FIFOs in its
 * directory; the server opens them without following links, checks they are FIFOs of its uid,
 * unlinks them, and checks that process PID, of its uid, holds both open at UPFD and DOWNFD
 * ({@code /proc/PID/fd}), so a line that names another process or FIFOs made by nobody is
 * dropped. Its stdin, stdout and stderr are the files the client names (copies at fds bash never
 * moves), opened through {@code /proc/PID/fd/N}: the kernel lets a process of the same uid do so
 * (ptrace read access, which Yama does not restrict, unlike the attach that pidfd_getfd needs).
 * That is the same open file for a pipe, FIFO, terminal or device, but a new one for a regular
 * file (its own offset) and impossible for a socket, so the client comes here only when its
 * streams are of the first kinds and leaves the others to the JVM client, which passes them with
 * SCM_RIGHTS. Its environment is the one its process started with ({@code /proc/PID/environ}).
 */
final class ShellConnection implements ClientConnection {

    private static final int O_NOCTTY = 0400, F_GETFL = 3, F_SETFL = 4;
    /** A client's own pair (c-PID-N: the pid in the name is the one announced) or one of the door's pool. */
    private static final Pattern ANNOUNCEMENT = Pattern.compile(
            "(c-([0-9]{1,10})-[0-9]{1,10}|p-[0-9]{1,10}-[0-9a-f]{1,32}) ([0-9]{1,10}) ([0-9]{1,9}) ([0-9]{1,9})");
    /** The client writes its request before it announces it, so the request must fit a pipe's buffer. */
    static final int MAX_REQUEST = 60_000;

    private static final int POLL_MILLIS = 200;

    private final long pid;
    private final int up;
    private final int down;
    private final Object reading = new Object();
    private final Object writing = new Object();
    private final ByteArrayOutputStream request = new ByteArrayOutputStream();
    private byte[] unread = new byte[0];
    private int position;
    private volatile boolean closed;
    /** While the request is read: it came whole before the announcement, so it never waits for more. */
    private boolean parsingRequest;

    private ShellConnection(long pid, int up, int down) {
        this.pid = pid;
        this.up = up;
        this.down = down;
    }

    /**
     * The channel an announcement names, opened and unlinked; null when it is not one of a live
     * process of {@code uid} that holds it (logged through {@code refusals}).
     */
    static ShellConnection open(ShellDoor door, String announcement, long uid, PeerLog refusals) {
        Path dir = door.directory();
        var match = ANNOUNCEMENT.matcher(announcement);
        if (!match.matches()
                || (match.group(2) != null ? !match.group(2).equals(match.group(3)) : !door.pooled(match.group(1)))) {
            refusals.warn("the shell door", "dropped an announcement that is none: \"{}\"", announcement);
            return null;
        }
        long pid = Long.parseLong(match.group(3));
        Path in = dir.resolve(match.group(1) + ".i"), out = dir.resolve(match.group(1) + ".o");
        int up = -1, down = -1;
        try {
            up = Fds.open(in.toString(), Fds.O_RDONLY | Fds.O_NONBLOCK | Fds.O_NOFOLLOW, 0);
            down = Fds.open(
                    out.toString(), Fds.O_WRONLY | Fds.O_NONBLOCK | Fds.O_NOFOLLOW, 0); // ENXIO: its reader has gone
            String bad = unfit(up, uid);
            bad = bad != null ? bad : unfit(down, uid);
            Files.deleteIfExists(in); // opened once: nothing can announce them again
            Files.deleteIfExists(out);
            if (match.group(2) == null) {
                door.consumed(match.group(1));
            }
            if (bad == null && !owner(Path.of("/proc", Long.toString(pid))).equals(uid)) {
                bad = "pid " + pid + " is not a process of uid " + uid;
            }
            if (bad == null && !(sameFile(up, pid, match.group(4)) && sameFile(down, pid, match.group(5)))) {
                bad = "pid " + pid + " does not hold the channel at fds " + match.group(4) + " and " + match.group(5);
            }
            if (bad != null) {
                refusals.warn("the shell door", "dropped the channel {}: {}", match.group(1), bad);
                Fds.closeQuietly(up);
                Fds.closeQuietly(down);
                return null;
            }
            blocking(down);
            return new ShellConnection(pid, up, down);
        } catch (IOException | RuntimeException e) {
            refusals.warn("the shell door", "dropped the channel {}: {}", match.group(1), e.toString());
            Fds.closeQuietly(up);
            Fds.closeQuietly(down);
            return null;
        }
    }

    /** Null for a FIFO of {@code uid}; else what it is. */
    private static String unfit(int fd, long uid) throws IOException {
        Map<String, Object> stat = Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:mode,uid");
        if (((Integer) stat.get("mode") & S_IFMT) != S_IFIFO
                || Integer.toUnsignedLong((Integer) stat.get("uid")) != uid) {
            return "not a FIFO of uid " + uid;
        }
        return null;
    }

    private static Long owner(Path file) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(file, "unix:uid"));
    }

    private static boolean sameFile(int ours, long pid, String theirs) throws IOException {
        Object a = Files.getAttribute(Path.of("/proc/self/fd/" + ours), "unix:ino");
        Object b = Files.getAttribute(Path.of("/proc/" + pid + "/fd/" + theirs), "unix:ino");
        Object devA = Files.getAttribute(Path.of("/proc/self/fd/" + ours), "unix:dev");
        Object devB = Files.getAttribute(Path.of("/proc/" + pid + "/fd/" + theirs), "unix:dev");
        return a.equals(b) && devA.equals(devB);
    }

    private static void blocking(int fd) {
        Native n = Native.get();
        int flags = n.check("fcntl F_GETFL", n.libc().fcntl(fd, F_GETFL, 0));
        n.check("fcntl F_SETFL", n.libc().fcntl(fd, F_SETFL, flags & ~Fds.O_NONBLOCK));
    }

    /** The start time of process {@code pid} (clock ticks after boot, /proc/PID/stat's 22nd field). */
    static String startTime(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
    }

    @Override
    public ClientRequest accept(long uid, PeerLog refusals) throws IOException {
        readRequest();
        long claimed = number(field(), Integer.MAX_VALUE);
        if (claimed != pid) {
            refusals.warn("the shell door", "refused a shell request of pid {} on the channel of pid {}", claimed, pid);
            frame(Wire.REFUSED, 0);
            return null;
        }
        String[] streams = field().split(" ");
        if (streams.length != 3) {
            throw new IOException("a shell client named " + streams.length + " fds for its stdin, stdout and stderr");
        }
        boolean tty = field().equals("1");
        String cwd = field();
        List<String> args = new ArrayList<>();
        for (long i = number(field(), Wire.MAX_ITEMS); i > 0; i--) {
            args.add(field());
        }
        parsingRequest = false;
        Map<String, String> env = environment(Path.of("/proc", Long.toString(pid), "environ"));
        int[] stdio = {-1, -1, -1};
        try {
            for (int stream = 0; stream < 3; stream++) {
                stdio[stream] = openStream(stream, (int) number(streams[stream], Integer.MAX_VALUE));
            }
        } catch (IOException | RuntimeException e) {
            JvmConnection.closeAll(stdio);
            refusals.warn("the shell door", "left pid {} to the JVM client: {}", pid, e.toString());
            frame(Wire.FALLBACK, 0);
            return null;
        }
        return new ClientRequest(pid, stdio, tty, cwd, args, env);
    }

    /** The client's stream at its fd {@code fd}: a pipe, FIFO, terminal or device only (see above). */
    private int openStream(int stream, int fd) throws IOException {
        String path = "/proc/" + pid + "/fd/" + fd;
        // non-blocking: a pipe whose reader has gone fails (ENXIO) instead of waiting for one
        int opened = Fds.open(path, (stream == 0 ? Fds.O_RDONLY : Fds.O_WRONLY) | O_NOCTTY | Fds.O_NONBLOCK, 0);
        try {
            int type = (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + opened), "unix:mode") & S_IFMT;
            if (type != S_IFIFO && type != S_IFCHR) {
                throw new IOException(
                        "fd " + fd + " of pid " + pid + " is neither a pipe, a FIFO, a terminal nor a device");
            }
            blocking(opened);
            return opened;
        } catch (IOException | RuntimeException e) {
            Fds.closeQuietly(opened);
            throw e;
        }
    }

    /** All the client wrote before it announced the channel; what follows it is frames. */
    private void readRequest() throws IOException {
        Native n = Native.get();
        byte[] buffer = new byte[8192];
        long count;
        while ((count = n.libc().read(up, buffer, buffer.length)) > 0) {
            request.write(buffer, 0, (int) count);
            if (request.size() > MAX_REQUEST + 4096) {
                throw new IOException("a shell request longer than " + MAX_REQUEST + " bytes");
            }
        }
        if (count < 0 && n.lastErrno() != Errno.EAGAIN) {
            throw new NativeException("read of a shell request", n.lastErrno());
        }
        unread = request.toByteArray();
        position = 0;
        parsingRequest = true;
    }

    @Override
    public void frame(byte type, int value) throws IOException {
        String line = type == Wire.EXIT ? (char) type + Integer.toString(value) + "\n" : (char) type + "\n";
        byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        synchronized (writing) {
            if (closed || Native.get().libc().write(down, bytes, bytes.length) != bytes.length) {
                throw new IOException("the shell client has gone");
            }
        }
    }

    @Override
    public int nextSignal() throws IOException {
        synchronized (reading) {
            while (true) {
                String line = line();
                if (line.length() > 1 && line.charAt(0) == Wire.SIGNAL) {
                    try {
                        return Integer.parseInt(line.substring(1));
                    } catch (NumberFormatException e) {
                        // not a signal: skipped like any other line this version does not know
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (writing) {
            Fds.closeQuietly(down);
        }
        synchronized (reading) { // a reader sees closed within a poll's time
            Fds.closeQuietly(up);
        }
    }

    private String field() throws IOException {
        return until(0);
    }

    private String line() throws IOException {
        return until('\n');
    }

    private String until(int end) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = next(); b != end; b = next()) {
            if (bytes.size() >= Wire.MAX_STRING) {
                throw new IOException("a field longer than " + Wire.MAX_STRING + " bytes");
            }
            bytes.write(b);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The next byte: of the request, then of frames as they come (polled, so that close ends the wait). */
    private int next() throws IOException {
        while (position == unread.length) {
            if (closed) {
                throw new EOFException("the session has ended");
            }
            if (parsingRequest) {
                throw new EOFException("a shell request cut short");
            }
            Native n = Native.get();
            if (Sockets.linux().poll(new int[] {up}, POLL_MILLIS) < 0) {
                continue;
            }
            byte[] buffer = new byte[256];
            long count = n.libc().read(up, buffer, buffer.length);
            if (count == 0) {
                throw new EOFException("the shell client has gone");
            }
            if (count > 0) {
                unread = java.util.Arrays.copyOf(buffer, (int) count);
                position = 0;
            }
        }
        return unread[position++] & 0xff;
    }

    private static long number(String field, long max) throws IOException {
        try {
            long value = Long.parseLong(field);
            if (value >= 0 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IOException("bad number \"" + field + "\" from a shell client");
    }

    /** NAME=VALUE entries separated by NUL, as the kernel keeps a process's initial environment. */
    private static Map<String, String> environment(Path environ) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(environ)) {
            bytes = in.readAllBytes();
        }
        Map<String, String> env = new HashMap<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                ClientRequest.addVariable(env, new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return env;
    }
}
