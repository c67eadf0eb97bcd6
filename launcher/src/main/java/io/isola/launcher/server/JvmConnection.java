package io.isola.launcher.server;

import io.isola.internal.chain.ClonePlan;
import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.launcher.client.Wire;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The thin JVM client's protocol ({@link Wire}) on the server's unix socket: the kernel tells who
 * connected (SO_PEERCRED), the client's stdin, stdout and stderr come with its first byte
 * (SCM_RIGHTS: the very open files, offsets and all), then its request with its environment.
 */
final class JvmConnection implements ClientConnection {

    /** How long a connection may take to pass its fds and its request, all of it (not each read). */
    static final int HANDSHAKE_MILLIS = 5000;

    /**
     * The most bytes of arguments and environment a request may carry: 16 times what Linux lets a
     * command start with under the default 8 MiB stack limit (ARG_MAX, 2 MiB). Without it the
     * bounds per string and per list let one request declare 64 GiB, which the server read before
     * anything else; a larger request is left to the client, which then runs it in-process.
     */
    static final int MAX_REQUEST_BYTES = 32 << 20;

    private final int fd;
    private final Sockets sockets;
    private final FdInputStream in;
    private final DataInputStream data;
    private final OutputStream reply;
    private final int handshakeMillis;
    private final Object handshakeLock = new Object();
    /** Cleared by whichever comes first: the end of the handshake or its deadline. */
    private boolean handshaking = true;
    /** Whether the deadline shut the connection down. */
    private boolean timedOut;
    /** The bytes of strings this request has carried so far. */
    private long requestBytes;
    /** A thin create's report of the child it cloned (the frames' reader completes it). */
    private final CompletableFuture<Integer> cloned = new CompletableFuture<>();

    JvmConnection(int fd, Sockets sockets) {
        this(fd, sockets, HANDSHAKE_MILLIS);
    }

    JvmConnection(int fd, Sockets sockets, int handshakeMillis) {
        this.fd = fd;
        this.handshakeMillis = handshakeMillis;
        this.sockets = sockets;
        this.in = new FdInputStream(fd);
        this.data = new DataInputStream(new BufferedInputStream(in));
        this.reply = new FdOutputStream(Fds.dupCloexec(fd));
    }

    @Override
    public ClientRequest accept(long uid, PeerLog refusals) throws IOException {
        // a read timeout alone bounds each read: a peer that sends a byte now and then held its
        // session for ever, and 64 of them every session of the server; the deadline hangs up on it
        CompletableFuture.runAsync(
                () -> {
                    synchronized (handshakeLock) { // never after the handshake: the fd may be closed and reused
                        if (handshaking) {
                            handshaking = false;
                            timedOut = true;
                            sockets.shutdown(fd); // wakes the read: it sees the end of the stream
                        }
                    }
                },
                CompletableFuture.delayedExecutor(handshakeMillis, TimeUnit.MILLISECONDS));
        try {
            return handshake(uid, refusals);
        } catch (IOException e) {
            synchronized (handshakeLock) {
                if (timedOut) {
                    throw new IOException(tooSlow(), e);
                }
            }
            throw e;
        } finally {
            endHandshake();
        }
    }

    /** Ends the handshake's deadline; false when it had passed already (the connection is shut down). */
    private boolean endHandshake() {
        synchronized (handshakeLock) {
            boolean inTime = handshaking;
            handshaking = false;
            return inTime;
        }
    }

    private String tooSlow() {
        return "the client took more than " + handshakeMillis + " ms to send its request";
    }

    private ClientRequest handshake(long uid, PeerLog refusals) throws IOException {
        sockets.receiveTimeout(fd, handshakeMillis); // a silent peer holds a session for this long at most
        Sockets.Peer peer = sockets.peer(fd);
        if (peer.uid() != uid) {
            refusals.warn(
                    "uid " + peer.uid(),
                    "refused a client of uid {} (pid {}): this server serves uid {} only",
                    peer.uid(),
                    peer.pid(),
                    uid);
            frame(Wire.REFUSED, 0);
            return null;
        }
        int[] stdio = sockets.receiveFds(fd, 3); // before any buffered read: they come with the first byte
        try {
            ClientRequest request;
            try {
                request = read(stdio);
            } catch (RequestTooLarge e) {
                refusals.warn(
                        "uid " + peer.uid(), "left pid {} to run its command itself: {}", peer.pid(), e.getMessage());
                frame(Wire.FALLBACK, 0);
                closeAll(stdio);
                return null;
            }
            if (!endHandshake()) {
                throw new IOException(tooSlow());
            }
            if (request.pid() != peer.pid()) {
                refusals.warn(
                        "uid " + peer.uid(),
                        "refused a client whose pid {} is not its connection's ({})",
                        request.pid(),
                        peer.pid());
                frame(Wire.REFUSED, 0);
                closeAll(stdio);
                return null;
            }
            sockets.receiveTimeout(fd, 0); // from now on the client waits for its command, as long as it runs
            return request;
        } catch (IOException | RuntimeException e) {
            closeAll(stdio);
            throw e;
        }
    }

    @Override
    public synchronized void frame(byte type, int value) throws IOException {
        reply.write(ByteBuffer.allocate(5).put(type).putInt(value).array());
        reply.flush();
    }

    @Override
    public int nextSignal() throws IOException {
        while (true) {
            byte type;
            int value;
            try {
                type = data.readByte();
                value = data.readInt();
            } catch (IOException e) {
                cloned.completeExceptionally(e); // a thin create's client that has gone reports no clone
                throw e;
            }
            if (type == Wire.SIGNAL) {
                return value;
            }
            if (type == Wire.CLONED) {
                cloned.complete(value);
            }
        }
    }

    /**
     * Sends a thin create's plan: the frame's first byte carries {@code fds} (SCM_RIGHTS), then
     * the plan's bytes.
     */
    synchronized void sendPlan(byte[] plan, int[] fds) throws IOException {
        reply.flush();
        sockets.sendFds(
                fd, ByteBuffer.allocate(5).put(Wire.PLAN).putInt(plan.length).array(), fds);
        reply.write(plan);
        reply.flush();
    }

    /** The pid (or -errno) the thin create's client reports; an IOException when it has gone first. */
    int awaitCloned(long timeoutMillis) throws IOException {
        try {
            return cloned.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("the client has gone", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the client reported no clone within " + timeoutMillis / 1000 + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the client's clone", e);
        }
    }

    @Override
    public void close() {
        // ends the frame reader, after the last frame went out; before the stream is closed,
        // which waits for the reader to let go of it (the client's end may be open for ever:
        // a client that is gone can have handed its socket on)
        sockets.shutdown(fd);
        in.close();
        try {
            reply.close();
        } catch (IOException e) {
            // the client has gone
        }
    }

    static void closeAll(int[] fds) {
        for (int each : fds) {
            Fds.closeQuietly(each);
        }
    }

    private ClientRequest read(int[] stdio) throws IOException {
        int magic = data.readInt();
        if (magic != Wire.MAGIC && magic != Wire.THIN_MAGIC) {
            throw new IOException("not an isola client");
        }
        long pid = Integer.toUnsignedLong(data.readInt());
        boolean tty = data.readByte() != 0;
        String cwd = string();
        List<String> args = new ArrayList<>();
        for (int i = count(); i > 0; i--) {
            args.add(string());
        }
        Map<String, String> env = new HashMap<>();
        for (int i = count(); i > 0; i--) {
            ClientRequest.addVariable(env, string());
        }
        List<Integer> signals = null;
        int fdFloor = -1, fdLimit = -1;
        if (magic == Wire.THIN_MAGIC) {
            signals = new ArrayList<>();
            for (int i = count(); i > 0; i--) {
                signals.add(data.readInt());
            }
            fdFloor = data.readInt();
            if (fdFloor < ClonePlan.FIRST_FD || fdFloor > Wire.MAX_FD_FLOOR) {
                throw new IOException(
                        "fd floor " + fdFloor + ": expected " + ClonePlan.FIRST_FD + " to " + Wire.MAX_FD_FLOOR);
            }
            // below the floor is the planner's to refuse, naming it (RemoteClones.lift): the
            // client's command fails with a message rather than a bad request
            fdLimit = data.readInt();
            if (fdLimit < 1) {
                throw new IOException("fd limit " + fdLimit + ": expected 1 or more");
            }
        }
        return new ClientRequest(pid, stdio, tty, cwd, args, env, signals, fdFloor, fdLimit);
    }

    private int count() throws IOException {
        int n = data.readInt();
        if (n < 0 || n > Wire.MAX_ITEMS) {
            throw new IOException("bad count " + n);
        }
        return n;
    }

    private String string() throws IOException {
        int length = data.readInt();
        if (length < 0 || length > Wire.MAX_STRING) {
            throw new IOException("bad string length " + length);
        }
        requestBytes += length;
        if (requestBytes > MAX_REQUEST_BYTES) {
            throw new RequestTooLarge();
        }
        byte[] bytes = new byte[length];
        data.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A request beyond {@link #MAX_REQUEST_BYTES}: no command line is that long, but it is the client's to run. */
    private static final class RequestTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        RequestTooLarge() {
            super("a request of more than " + (MAX_REQUEST_BYTES >> 20) + " MiB of arguments and environment");
        }
    }
}
