package io.isola.launcher.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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
