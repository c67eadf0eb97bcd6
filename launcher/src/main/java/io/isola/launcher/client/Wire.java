package io.isola.launcher.client;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The protocol between the thin client ({@link Client}) and the resident server, over a unix
 * stream socket that only the user's own processes can reach (the server checks the peer's uid
 * with SO_PEERCRED as well).
 *
 * <pre>
 * client -> server  one byte 'F' carrying fds 0, 1 and 2 (SCM_RIGHTS: the very open files)
 *                   request:  int MAGIC, int pid, byte tty, str cwd, int n, n x str arg, int m, m x str "NAME=VALUE"
 *                   then any number of: byte SIGNAL, int signo     (end of stream: the client has gone)
 * server -> client  frames of 5 bytes: byte type, int value
 *                   ACCEPTED 0   the command runs (on the client's fds 0, 1 and 2, passed with the first
 *                                byte; output goes straight to them, never through the socket)
 *                   EXIT code    the command ended with this exit status; the server closes the connection
 *                   FALLBACK 0   not served here (nothing was done): run the command in-process
 *                   REFUSED 0    the server does not serve this peer (uid or pid mismatch, or it runs
 *                                as many commands as it runs at once)
 * str = int length + UTF-8 bytes; ints are big-endian.
 * </pre>
 *
 * <p>Only the JDK is used here, and jffi to pass the fds ({@link UnixClientSocket}): the client's
 * class path holds no Felix, picocli or jnr-ffi.
 */
public final class Wire {

    public static final int MAGIC = 0x69736f31; // "iso1"
    /**
     * A thin create's request ({@code ThinCreate}): MAGIC's layout followed by int k, k x int signal
     * (those the client's JVM handles), int floor (the client holds no fd from there up: the
     * plan's fds are numbered from it) and int limit (its RLIMIT_NOFILE soft limit, at most
     * Integer.MAX_VALUE: every plan's fd is below it, or the server refuses the command naming it). The client clones the container itself: after ACCEPTED the
     * server may send PLAN length (its first byte carrying the plan's fds, SCM_RIGHTS) and length
     * bytes of {@link io.isola.internal.chain.ClonePlan}; the client answers CLONED pid (or -errno)
     * and reaps the child unless the command's EXIT is 0.
     */
    public static final int THIN_MAGIC = 0x69736f55; // "isoU": "isoT" had no limit (a server of before refuses it)

    public static final byte SIGNAL = 'S';
    public static final byte ACCEPTED = 'A', EXIT = 'X', FALLBACK = 'F', REFUSED = 'R';
    /** The thin create's frames: the plan (server to client) and the cloned child's pid (client to server). */
    public static final byte PLAN = 'P', CLONED = 'C';

    /**
     * The most fds a frame carries (SCM_RIGHTS): a plan's protocol pipes, an exec's PID namespace
     * and up to 32 others ({@link io.isola.internal.chain.ClonePlan}); a multiple of two, so that
     * the client's room for them is aligned as the kernel's control messages are.
     */
    public static final int MAX_FDS = 36;
    /** The highest fd floor a thin request may name: the kernel's default fs.nr_open. */
    public static final int MAX_FD_FLOOR = 1 << 20;
    /** Bounds a request from a misbehaving peer: arguments and environment of a command line. */
    public static final int MAX_STRING = 1 << 20, MAX_ITEMS = 1 << 16;

    private Wire() {}

    /** The request of a command line, encoded. */
    public static byte[] request(long pid, boolean tty, String cwd, List<String> args, Map<String, String> env) {
        return request(pid, tty, cwd, args, env, null, -1, -1);
    }

    /**
     * A thin create's request when {@code signals} is not null: the client clones ({@link
     * #THIN_MAGIC}), holding no fd from {@code fdFloor} up, and can hold none from {@code fdLimit}.
     */
    public static byte[] request(
            long pid,
            boolean tty,
            String cwd,
            List<String> args,
            Map<String, String> env,
            List<Integer> signals,
            int fdFloor,
            int fdLimit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(signals == null ? MAGIC : THIN_MAGIC);
            out.writeInt((int) pid);
            out.writeByte(tty ? 1 : 0);
            string(out, cwd);
            out.writeInt(args.size());
            for (String arg : args) {
                string(out, arg);
            }
            out.writeInt(env.size());
            for (Map.Entry<String, String> entry : env.entrySet()) {
                string(out, entry.getKey() + "=" + entry.getValue());
            }
            if (signals != null) {
                out.writeInt(signals.size());
                for (int signal : signals) {
                    out.writeInt(signal);
                }
                out.writeInt(fdFloor);
                out.writeInt(fdLimit);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // cannot happen in memory
        }
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
