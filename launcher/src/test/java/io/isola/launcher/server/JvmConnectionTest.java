package io.isola.launcher.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Syscalls;
import io.isola.launcher.client.Wire;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The server's checks of a JVM client, against a fake peer: the connection is a real unix socket
 * (to this JVM), but who is at its other end (SO_PEERCRED) and the fds it passes (SCM_RIGHTS) come
 * from {@link FakePeer}, so that a client of another uid or a lying pid is tried without a second
 * user. The real peers are tried by ServerBoundaryIT and ResidentServerIT.
 */
class JvmConnectionTest {

    private static final long SERVED_UID = 0;
    private static final long CLIENT_PID = 31337;

    @TempDir
    Path dir;

    private int listener = -1;
    private SocketChannel client;
    private int accepted = -1;

    @BeforeEach
    void connect() throws IOException {
        Path path = dir.resolve("server.sock");
        listener = Sockets.linux().listen(path, 1);
        client = SocketChannel.open(UnixDomainSocketAddress.of(path));
        accepted = Sockets.linux().accept(listener);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        Fds.closeQuietly(listener);
    }

    @Test
    void aClientOfAnotherUidIsRefusedBeforeItsFdsAreTaken() throws IOException {
        FakePeer peer = new FakePeer(CLIENT_PID, 1000);
        JvmConnection connection = new JvmConnection(accepted, peer);
        try (connection) {
            assertNull(connection.accept(SERVED_UID, refusals()));
        }
        assertEquals(List.of("receiveTimeout 5000", "peer"), peer.calls);
        assertEquals(Wire.REFUSED, reply()[0]);
    }

    @Test
    void aClientWhoseRequestNamesAnotherPidIsRefusedAndItsFdsClosed() throws IOException {
        FakePeer peer = new FakePeer(CLIENT_PID, SERVED_UID);
        send(request(CLIENT_PID + 1));
        JvmConnection connection = new JvmConnection(accepted, peer);
        try (connection) {
            assertNull(connection.accept(SERVED_UID, refusals()));
        }
        assertEquals(List.of("receiveTimeout 5000", "peer", "receiveFds 3"), peer.calls);
        assertEquals(Wire.REFUSED, reply()[0]);
        for (int fd : peer.passed) {
            assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd)), "fd " + fd + " was left open");
        }
    }

    @Test
    void aClientOfTheServedUidWithItsOwnPidIsAcceptedAndThenWaitsForEver() throws IOException {
        FakePeer peer = new FakePeer(CLIENT_PID, SERVED_UID);
        send(request(CLIENT_PID));
        JvmConnection connection = new JvmConnection(accepted, peer);
        try (connection) {
            ClientRequest request = connection.accept(SERVED_UID, refusals());
            assertNotNull(request);
            assertEquals(List.of("ps", "-a"), request.args());
            JvmConnection.closeAll(request.stdio());
        }
        assertEquals(List.of("receiveTimeout 5000", "peer", "receiveFds 3", "receiveTimeout 0"), peer.calls);
    }

    @Test
    void aRequestLargerThanAnyCommandLineIsDroppedBeforeItFillsTheHeap() throws Exception {
        FakePeer peer = new FakePeer(CLIENT_PID, SERVED_UID);
        // 40 strings of 1 MiB each, every one within Wire.MAX_STRING: 40 MiB of a request, which the
        // old server read whole (65,536 of them made 64 GiB) before it looked at what it held
        int strings = JvmConnection.MAX_REQUEST_BYTES / Wire.MAX_STRING + 8;
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                send(largeRequest(CLIENT_PID, strings));
            } catch (IOException e) {
                // the server stopped reading: what this test wants
            }
        });
        JvmConnection connection = new JvmConnection(accepted, peer);
        try (connection) {
            // not assertNull: its message would print the 40 MiB it was given
            assertTrue(connection.accept(SERVED_UID, refusals()) == null, "the server took a 40 MiB request");
        }
        assertEquals(Wire.FALLBACK, reply()[0]); // the client runs it in-process, as with no server
        client.close(); // ends a send the server no longer reads
        sent.get(60, TimeUnit.SECONDS);
        for (int fd : peer.passed) {
            assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd)), "fd " + fd + " was left open");
        }
    }

    @Test
    void aClientThatDribblesItsRequestLosesItsSessionAtTheHandshakeDeadline() throws Exception {
        FakePeer peer = new FakePeer(CLIENT_PID, SERVED_UID);
        byte[] request = request(CLIENT_PID);
        int deadline = 200;
        // a byte every 20 ms: each read waits far less than the deadline, the whole request far longer
        // (at least 20 ms x its length), so a deadline per read never fires: a slowloris held a session
        CompletableFuture<Void> dribble = CompletableFuture.runAsync(() -> {
            try {
                for (byte b : request) {
                    send(new byte[] {b});
                    Thread.sleep(20);
                }
            } catch (IOException e) {
                // the server hung up: what this test wants
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        JvmConnection connection = new JvmConnection(accepted, peer, deadline);
        try (connection) {
            assertThrows(IOException.class, () -> connection.accept(SERVED_UID, refusals()));
        }
        client.close();
        dribble.get(60, TimeUnit.SECONDS);
    }

    private static PeerLog refusals() {
        return new PeerLog(LoggerFactory.getLogger(JvmConnectionTest.class));
    }

    /** A request as the JVM client writes it ({@link Wire}), after the byte its fds travel with. */
    private static byte[] request(long pid) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(0); // the fds' byte
        out.writeInt(Wire.MAGIC);
        out.writeInt((int) pid);
        out.writeByte(0); // no tty
        string(out, "/");
        out.writeInt(2);
        string(out, "ps");
        string(out, "-a");
        out.writeInt(0); // no environment
        return bytes.toByteArray();
    }

    /** A request whose arguments are {@code strings} strings of {@link Wire#MAX_STRING} bytes. */
    private static byte[] largeRequest(long pid, int strings) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(0);
        out.writeInt(Wire.MAGIC);
        out.writeInt((int) pid);
        out.writeByte(0);
        string(out, "/");
        out.writeInt(strings);
        byte[] large = new byte[Wire.MAX_STRING];
        java.util.Arrays.fill(large, (byte) 'a');
        for (int i = 0; i < strings; i++) {
            out.writeInt(large.length);
            out.write(large);
        }
        out.writeInt(0);
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private void send(byte[] bytes) throws IOException {
        client.write(ByteBuffer.wrap(bytes));
    }

    /** The frame the server wrote back. */
    private byte[] reply() throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(5);
        while (frame.hasRemaining() && client.read(frame) >= 0) {
            // a frame is 5 bytes
        }
        return frame.array();
    }

    /**
     * The kernel's answers about the other end, made up: the peer's pid and uid, and three fresh
     * pipe ends as its stdio; the connection's other calls go to the real sockets.
     */
    private static final class FakePeer implements Sockets {
        private final long pid;
        private final long uid;
        final List<String> calls = new ArrayList<>();
        final List<Integer> passed = new ArrayList<>();

        FakePeer(long pid, long uid) {
            this.pid = pid;
            this.uid = uid;
        }

        @Override
        public int listen(Path path, int backlog) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void receiveTimeout(int fd, int millis) {
            calls.add("receiveTimeout " + millis);
        }

        @Override
        public int poll(int[] fds, int timeoutMillis) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int accept(int listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Peer peer(int fd) {
            calls.add("peer");
            return new Peer(pid, uid, uid);
        }

        @Override
        public void shutdown(int fd) {
            Sockets.linux().shutdown(fd);
        }

        @Override
        public void sendFds(int fd, byte[] bytes, int[] fds) {
            throw new UnsupportedOperationException();
        }

        /** Takes the byte the fds came with, as recvmsg does, and gives three fds of this JVM's. */
        @Override
        public int[] receiveFds(int fd, int count) {
            calls.add("receiveFds " + count);
            Syscalls.linux().read(fd, 1, "the fds' byte");
            int[] pipe = Fds.pipe();
            int[] fds = {pipe[0], pipe[1], Fds.dupCloexec(pipe[0])};
            for (int each : fds) {
                passed.add(each);
            }
            return fds;
        }
    }
}
