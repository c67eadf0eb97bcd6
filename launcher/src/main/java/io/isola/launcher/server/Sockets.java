package io.isola.launcher.server;

import java.nio.file.Path;

/**
 * The server's socket calls, on raw fds: a unix socket (the JDK's channels can neither tell the
 * peer's pid, SO_PEERCRED, nor receive fds, SCM_RIGHTS), polled with the shell clients' request
 * FIFO; the accepted fds are read and written with the core's fd streams. The server listens on no
 * IP socket: a container that shares the host's network could reach one (issue 23).
 *
 * <p>One interface so that a connection's checks run against a test's fake peer
 * (JvmConnectionTest); {@link #linux()} is the real one.
 */
interface Sockets {

    static Sockets linux() {
        return LinuxSockets.INSTANCE;
    }

    /** Who is at the other end of a connection, as the kernel recorded it at connect(). */
    record Peer(long pid, long uid, long gid) {}

    /** A listening socket at {@code path} (which must not exist), close-on-exec. */
    int listen(Path path, int backlog);

    /** Makes reads of {@code fd} fail with EAGAIN after {@code millis} without data; 0: wait for ever. */
    void receiveTimeout(int fd, int millis);

    /** The index of one of {@code fds} that is readable, -1 when none became so within {@code timeoutMillis}. */
    int poll(int[] fds, int timeoutMillis);

    /** The next connection on {@code listener} (close-on-exec); -1 when there is none after all. */
    int accept(int listener);

    /** The peer of connection {@code fd} (SO_PEERCRED). */
    Peer peer(int fd);

    /** Wakes a thread blocked reading {@code fd} (it reads end-of-stream); the fd stays open. */
    void shutdown(int fd);

    /**
     * Sends {@code bytes} on {@code fd} with {@code fds} attached (SCM_RIGHTS; at most {@link
     * Wire#MAX_FDS}, what the client makes room for): the receiver gets its own copies of these
     * open files.
     */
    void sendFds(int fd, byte[] bytes, int[] fds);

    /**
     * Receives the fds a client passed with SCM_RIGHTS on {@code fd}, with the one byte they came
     * with (close-on-exec): exactly {@code count} of them, else none are kept and this throws.
     */
    int[] receiveFds(int fd, int count);
}
