package io.isola.launcher.server;

import java.nio.file.Path;

/** The server's socket calls, for tests of the client in other packages that play the server. */
public final class TestServerSocket {

    private TestServerSocket() {}

    public static int listen(Path path) {
        return Sockets.linux().listen(path, 1);
    }

    public static int accept(int listener) {
        return Sockets.linux().accept(listener);
    }

    /** Sends {@code bytes} with {@code fds} attached, in one message, as the server frames its answers. */
    public static void send(int connection, byte[] bytes, int... fds) {
        Sockets.linux().sendFds(connection, bytes, fds);
    }
}
