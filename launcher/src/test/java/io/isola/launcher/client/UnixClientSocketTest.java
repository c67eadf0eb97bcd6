package io.isola.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.internal.nativ.Fds;
import io.isola.launcher.server.TestServerSocket;
import io.isola.testing.OpenFds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's socket against a server that misframes: what came with a bad frame is not kept open. */
class UnixClientSocketTest {

    @TempDir
    Path tmp;

    @Test
    void theFdsOfAShortFrameAreClosed() throws Exception {
        Path path = tmp.resolve("s");
        int listener = TestServerSocket.listen(path);
        int connection = -1;
        int[] pipe = Fds.pipe();
        try (UnixClientSocket client = UnixClientSocket.connect(path)) {
            assertNotNull(client);
            connection = TestServerSocket.accept(listener);
            OpenFds before = OpenFds.now();
            TestServerSocket.send(connection, new byte[] {1, 2}, pipe[0], pipe[1]);

            IOException refused = assertThrows(IOException.class, () -> client.receive(new byte[5]));

            assertTrue(refused.getMessage().contains("a frame of 2 bytes"), refused.getMessage());
            assertEquals(List.of(), before.leaked(), "fds that came with the short frame");
        } finally {
            Fds.closeQuietly(connection);
            Fds.closeQuietly(listener);
            Fds.closeQuietly(pipe[0]);
            Fds.closeQuietly(pipe[1]);
        }
    }
}
