package io.isola.launcher.server;

import io.isola.launcher.Main;
import io.isola.launcher.client.Wire;

import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * One client connection ({@link Wire} has the protocol): checks the peer, takes its stdin, stdout
 * and stderr, runs its command line through the same picocli command tree as the CLI, with the
 * client's environment and working directory ({@link Invocation}), and returns the exit status.
 */
final class Session implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** {@link #execute}'s answer when the exit frame went out already (the command was cancelled). */
    private static final Integer CANCELLED = Integer.MIN_VALUE;

    private final int fd;
    private final long uid;
    private final Map<String, String> serverEnv;

    Session(int fd, long uid, Map<String, String> serverEnv) {
        this.fd = fd;
        this.uid = uid;
        this.serverEnv = serverEnv;
    }

    private record Request(long pid, boolean tty, String cwd, List<String> args, Map<String, String> env) {}

    @Override
    public void run() {
        OutputStream reply = new FdOutputStream(Fds.dupCloexec(fd));
        int[] stdio = {-1, -1, -1};
        int pidfd = -1;
        try (FdInputStream in = new FdInputStream(fd)) {
            UnixSockets.Peer peer = UnixSockets.peer(fd);
            if (peer.uid() != uid) {
                LOG.warn("refused a client of uid {} (pid {}): this server serves uid {} only", peer.uid(), peer.pid(), uid);
                frame(reply, Wire.REFUSED, 0);
                return;
            }
            DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in)); // request, then frames
            Request request = read(data);
            if (request.pid() != peer.pid()) {
                LOG.warn("refused a client whose pid {} is not its connection's ({})", request.pid(), peer.pid());
                frame(reply, Wire.REFUSED, 0);
                return;
            }
            String mismatch = mismatch(request.env());
            if (mismatch != null) {
                LOG.info("not serving pid {}: {}", peer.pid(), mismatch);
                frame(reply, Wire.FALLBACK, 0);
                return;
            }
            Native n = Native.get();
            pidfd = n.check("pidfd_open " + peer.pid(), n.libc().pidfd_open((int) peer.pid(), 0));
            for (int stream = 0; stream < 3; stream++) {
                stdio[stream] = UnixSockets.takeFd(pidfd, stream);
            }
            Invocation invocation = new Invocation(request.env(), Path.of(request.cwd()), stdio, request.tty());
            Integer code = execute(invocation, request, reply, data);
            if (code == null) {
                frame(reply, Wire.FALLBACK, 0);
            } else if (!code.equals(CANCELLED)) {
                frame(reply, Wire.EXIT, code);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("session ended: {}", e.toString());
        } finally {
            UnixSockets.shutdown(fd); // ends the frame reader, after the last frame went out
            for (int stream : stdio) {
                Fds.closeQuietly(stream);
            }
            Fds.closeQuietly(pidfd);
            try {
                reply.close();
            } catch (IOException e) {
                // the client has gone
            }
        }
    }

    /**
     * Runs the command line; null when a verb found it cannot run here before doing anything
     * (the client then runs it in-process). The client's frames (signals, end of stream) are
     * read on a second thread meanwhile.
     */
    private Integer execute(Invocation invocation, Request request, OutputStream reply, DataInputStream in) throws IOException {
        PrintWriter out = writer(invocation.stdio(1));
        PrintWriter err = writer(invocation.stdio(2));
        String[] args = request.args().toArray(String[]::new);
        CommandLine cli = Main.commandLine(out, err, args);
        Path cwd = invocation.cwd();
        // a relative path on the client's command line means its working directory, not ours
        cli.registerConverter(Path.class, value -> cwd.resolve(value));
        CommandLine.IExecutionExceptionHandler handler = cli.getExecutionExceptionHandler();
        // picocli prints what a handler throws, so a verb that cannot run here is remembered instead
        java.util.concurrent.atomic.AtomicReference<Invocation.NotServed> notServed = new java.util.concurrent.atomic.AtomicReference<>();
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof Invocation.NotServed refused) {
                notServed.set(refused);
                return CANCELLED;
            }
            return handler.handleExecutionException(e, command, parsed);
        });
        Thread frames = new Thread(() -> readFrames(in, invocation), "isola-session-frames");
        frames.setDaemon(true);
        Thread worker = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean replied = new java.util.concurrent.atomic.AtomicBoolean();
        invocation.onCancel(signal -> {
            if (signal > 0 && replied.compareAndSet(false, true)) {
                try {
                    frame(reply, Wire.EXIT, 128 + signal); // the status of a CLI killed by the signal
                } catch (IOException e) {
                    // the client has gone
                }
            }
            worker.interrupt();
        });
        invocation.bind();
        try {
            frame(reply, Wire.ACCEPTED, 0);
            frames.start();
            int code = cli.execute(args);
            out.flush();
            err.flush();
            if (notServed.get() != null) {
                throw notServed.get();
            }
            Thread.interrupted(); // a cancel that came too late to matter
            return replied.compareAndSet(false, true) ? code : CANCELLED;
        } catch (Invocation.NotServed e) {
            LOG.debug("not served: {}", e.getMessage());
            return null;
        } finally {
            invocation.unbind();
            out.close(); // our duplicates only: a caller reading "$(isola ps)" waits for every writer
            err.close();
        }
    }

    private static PrintWriter writer(int fd) {
        // the server's own duplicate: closing the writer never closes the client's file
        return new PrintWriter(new java.io.OutputStreamWriter(new FdOutputStream(Fds.dupCloexec(fd)), StandardCharsets.UTF_8), true);
    }

    private static void readFrames(DataInputStream in, Invocation invocation) {
        try {
            while (true) {
                byte type = in.readByte();
                int value = in.readInt();
                if (type == Wire.SIGNAL) {
                    invocation.signal(value);
                }
            }
        } catch (IOException e) {
            invocation.clientGone();
        }
    }

    private static Request read(DataInputStream in) throws IOException {
        if (in.readInt() != Wire.MAGIC) {
            throw new IOException("not an isola client");
        }
        long pid = Integer.toUnsignedLong(in.readInt());
        boolean tty = in.readByte() != 0;
        String cwd = string(in);
        List<String> args = new ArrayList<>();
        for (int i = count(in); i > 0; i--) {
            args.add(string(in));
        }
        Map<String, String> env = new HashMap<>();
        for (int i = count(in); i > 0; i--) {
            String entry = string(in);
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return new Request(pid, tty, cwd, args, env);
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > Wire.MAX_ITEMS) {
            throw new IOException("bad count " + n);
        }
        return n;
    }

    private static String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > Wire.MAX_STRING) {
            throw new IOException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Null when the client sees the same isola as the server; else what differs. */
    private String mismatch(Map<String, String> env) {
        for (String name : io.isola.launcher.client.ServerAddress.KEYED_ENV) {
            if (!java.util.Objects.equals(env.get(name), serverEnv.get(name))) {
                return "$" + name + " differs from the server's";
            }
        }
        return null;
    }

    private static void frame(OutputStream reply, byte type, int value) throws IOException {
        reply.write(java.nio.ByteBuffer.allocate(5).put(type).putInt(value).array());
        reply.flush();
    }

}
