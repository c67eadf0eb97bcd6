package io.isola.launcher.server;

import io.isola.launcher.client.Wire;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol of bin/isola's shell client on the {@link ShellEndpoint} port: NUL-separated fields
 * and text lines, what bash can write and read with builtins.
 *
 * <pre>
 * client -> server  "isola-shell-1\0" TOKEN "\0"
 * server -> client  "isola-server PROOF\n"                 (only for the right token; else it hangs up)
 * client -> server  PID "\0" STDIN STDOUT STDERR "\0" TTY(0|1) "\0" CWD "\0" N "\0" N x (ARG "\0")
 *                   then any number of "S" SIGNO "\n"       (end of stream: the client has gone)
 * server -> client  lines: "A" accepted, "X" CODE exit, "F" fallback, "R" refused (as in {@link Wire})
 * </pre>
 *
 * <p>The client names the fds that hold its standard streams: bash writes to a socket by moving
 * it onto fd 1 for the while of the write, so the server could take the socket for stdout if it
 * took fd 1; the client keeps copies of its streams at fds it never moves. Its environment is the
 * one its process started with ({@code /proc/PID/environ}): bin/isola exports nothing of its own.
 */
final class ShellClients implements ClientProtocol {

    static final String MAGIC = "isola-shell-1";
    /** How long a connection may take to say who it is: the port is open to every local user. */
    static final int HANDSHAKE_MILLIS = 5000;
    /** The longest magic or token a connection may send before it has shown the token. */
    private static final int UNTRUSTED_FIELD = 64;
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    private static final Logger LOG = LoggerFactory.getLogger(ShellClients.class);

    private final ShellEndpoint endpoint;

    ShellClients(ShellEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public ClientRequest accept(int fd, long uid, DataInputStream in, OutputStream reply) throws IOException {
        Sockets.receiveTimeout(fd, HANDSHAKE_MILLIS);
        Sockets.noDelay(fd); // our frames are single lines, each to be read at once
        // before the token: short fields and one deadline, so that a stranger trickling bytes
        // holds a thread for a handshake's time at most
        long deadline = System.nanoTime() + HANDSHAKE_MILLIS * 1_000_000L;
        if (!MAGIC.equals(until(in, 0, UNTRUSTED_FIELD, deadline))) {
            throw new IOException("not an isola shell client");
        }
        if (!endpoint.admits(until(in, 0, UNTRUSTED_FIELD, deadline))) {
            LOG.warn("refused a connection to the shell port: wrong token");
            return null;
        }
        // the proof only now: whoever learnt it could pose as this server on its port once it is gone
        reply.write(endpoint.hello().getBytes(StandardCharsets.US_ASCII));
        reply.flush();
        long pid = number(field(in), Integer.MAX_VALUE);
        String[] streams = field(in).split(" ");
        if (streams.length != 3) {
            throw new IOException("a shell client named " + streams.length + " fds for its stdin, stdout and stderr");
        }
        int[] stdio = new int[3];
        for (int i = 0; i < 3; i++) {
            stdio[i] = (int) number(streams[i], Integer.MAX_VALUE);
        }
        boolean tty = field(in).equals("1");
        String cwd = field(in);
        List<String> args = new ArrayList<>();
        for (long i = number(field(in), Wire.MAX_ITEMS); i > 0; i--) {
            args.add(field(in));
        }
        Sockets.receiveTimeout(fd, 0); // from now on the client waits for its command, as long as it runs
        Path process = Path.of("/proc", Long.toString(pid));
        long owner;
        try {
            owner = Integer.toUnsignedLong((Integer) Files.getAttribute(process, "unix:uid"));
        } catch (NoSuchFileException e) {
            throw new IOException("the shell client's pid " + pid + " does not exist");
        }
        if (owner != uid) {
            LOG.warn("refused a shell client whose pid {} belongs to uid {}: this server serves uid {} only", pid, owner, uid);
            frame(reply, Wire.REFUSED, 0);
            return null;
        }
        return new ClientRequest(pid, stdio, tty, cwd, args, environment(process.resolve("environ")));
    }

    @Override
    public void frame(OutputStream reply, byte type, int value) throws IOException {
        String line = type == Wire.EXIT ? (char) type + Integer.toString(value) + "\n" : (char) type + "\n";
        reply.write(line.getBytes(StandardCharsets.US_ASCII));
        reply.flush();
    }

    @Override
    public int nextSignal(DataInputStream in) throws IOException {
        while (true) {
            String line = line(in);
            if (line.length() > 1 && line.charAt(0) == Wire.SIGNAL) {
                try {
                    return Integer.parseInt(line.substring(1));
                } catch (NumberFormatException e) {
                    // not a signal: skipped like any other line this version does not know
                }
            }
        }
    }

    private static String field(InputStream in) throws IOException {
        return until(in, 0, Wire.MAX_STRING, NO_DEADLINE);
    }

    private static String line(InputStream in) throws IOException {
        return until(in, '\n', Wire.MAX_STRING, NO_DEADLINE);
    }

    private static String until(InputStream in, int end, int max, long deadline) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != end; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the shell client closed the connection");
            }
            if (bytes.size() >= max || deadline != NO_DEADLINE && System.nanoTime() - deadline > 0) {
                throw new IOException("a field longer than " + max + " bytes, or later than the handshake allows");
            }
            bytes.write(b);
        }
        return bytes.toString(StandardCharsets.UTF_8);
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
