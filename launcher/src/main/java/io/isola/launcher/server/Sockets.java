package io.isola.launcher.server;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.NativeMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The server's sockets, on raw fds: its unix socket (the JDK's channels cannot tell the peer's
 * pid, SO_PEERCRED), its loopback TCP socket for bin/isola's shell client ({@link ShellEndpoint}),
 * both accepted in one poll; the accepted fds are read and written with the core's fd streams.
 * Also the one call that takes a client's fd: pidfd_getfd.
 */
final class Sockets {

    /** The socket calls that core's binding does not declare. */
    public interface Calls {
        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] address, int length);

        int listen(int fd, int backlog);

        int accept4(int fd, long address, long length, int flags);

        int getsockopt(int fd, int level, int name, @Out byte[] value, @In @Out int[] length);

        int setsockopt(int fd, int level, int name, @In byte[] value, int length);

        int getsockname(int fd, @Out byte[] address, @In @Out int[] length);

        int shutdown(int fd, int how);
    }

    private static final int AF_UNIX = 1, AF_INET = 2, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1, SO_PEERCRED = 17, SO_RCVTIMEO = 20, SHUT_RDWR = 2;
    private static final int IPPROTO_TCP = 6, TCP_NODELAY = 1;
    /** struct sockaddr_in: family, port and address (both in network order), 8 bytes of zero. */
    private static final int SOCKADDR_IN = 16;
    private static final short POLLIN = 1;
    /** Unified system call numbers (Linux 5.6 on): the same on x86_64 and aarch64. */
    private static final long PIDFD_GETFD = 438;
    private static final int SUN_PATH = 108;

    private static final class Holder {
        static final Calls CALLS = LibraryLoader.create(Calls.class).load("c");
    }

    /** Who is at the other end of a connection, as the kernel recorded it at connect(). */
    record Peer(long pid, long uid, long gid) {}

    /** A connection and the listener (an index into those polled) it came from. */
    record Accepted(int listener, int fd) {}

    private Sockets() {}

    /** A listening socket at {@code path} (which must not exist), close-on-exec. */
    static int listen(Path path, int backlog) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH) {
            throw new IllegalArgumentException("socket path \"" + path + "\": longer than " + (SUN_PATH - 1) + " bytes");
        }
        Native n = Native.get();
        int fd = n.check("socket", Holder.CALLS.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        try {
            byte[] address = new byte[2 + name.length + 1];
            address[0] = AF_UNIX; // sa_family, little-endian short on every architecture isola runs on
            System.arraycopy(name, 0, address, 2, name.length);
            n.check("bind " + path, Holder.CALLS.bind(fd, address, address.length));
            n.check("listen " + path, Holder.CALLS.listen(fd, backlog));
            return fd;
        } catch (RuntimeException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
    }

    /** A listening TCP socket on 127.0.0.1 at a port the kernel picks ({@link #port}), close-on-exec. */
    static int listenLoopback(int backlog) {
        Native n = Native.get();
        int fd = n.check("socket(AF_INET)", Holder.CALLS.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        try {
            byte[] address = new byte[SOCKADDR_IN];
            address[0] = AF_INET; // sa_family in host order (little-endian); port 0: any free one
            address[4] = 127;
            address[7] = 1;
            n.check("bind 127.0.0.1", Holder.CALLS.bind(fd, address, address.length));
            n.check("listen on 127.0.0.1", Holder.CALLS.listen(fd, backlog));
            return fd;
        } catch (RuntimeException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
    }

    /** The port a TCP socket is bound to. */
    static int port(int fd) {
        byte[] address = new byte[SOCKADDR_IN];
        int[] length = {address.length};
        Native.get().check("getsockname", Holder.CALLS.getsockname(fd, address, length));
        return (address[2] & 0xff) << 8 | address[3] & 0xff;
    }

    /**
     * Sends what is written to the TCP connection {@code fd} at once: a small frame after another
     * that is not acknowledged yet would otherwise wait for the peer's delayed ACK (~40 ms).
     */
    static void noDelay(int fd) {
        byte[] on = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(1).array();
        Native.get().check("setsockopt TCP_NODELAY", Holder.CALLS.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, on, on.length));
    }

    /** Makes reads of {@code fd} fail with EAGAIN after {@code millis} without data; 0: wait for ever. */
    static void receiveTimeout(int fd, int millis) {
        byte[] timeval = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.nativeOrder())
                .putLong(millis / 1000).putLong(millis % 1000 * 1000L).array();
        Native.get().check("setsockopt SO_RCVTIMEO", Holder.CALLS.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, timeval.length));
    }

    /**
     * The next connection on any of {@code listeners} (close-on-exec); null when none came within
     * {@code timeoutMillis}.
     */
    static Accepted accept(int[] listeners, int timeoutMillis) {
        Native n = Native.get();
        int ready = -1;
        try (NativeMemory poll = new NativeMemory(8L * listeners.length)) {
            for (int i = 0; i < listeners.length; i++) {
                NativeMemory.putInt(poll.address() + 8L * i, listeners[i]);
                NativeMemory.putInt(poll.address() + 8L * i + 4, POLLIN); // revents: 0
            }
            int count = n.libc().poll(poll.address(), listeners.length, timeoutMillis);
            if (count < 0 && n.lastErrno() != Errno.EINTR) {
                throw new NativeException("poll on the server sockets", n.lastErrno());
            }
            for (int i = 0; i < listeners.length && count > 0 && ready < 0; i++) {
                if (NativeMemory.getShort(poll.address() + 8L * i + 6) != 0) {
                    ready = i;
                }
            }
        }
        if (ready < 0) {
            return null;
        }
        int fd = Holder.CALLS.accept4(listeners[ready], 0, 0, SOCK_CLOEXEC);
        if (fd < 0) {
            int errno = n.lastErrno();
            if (errno == Errno.EINTR || errno == Errno.EAGAIN || errno == 103 /* ECONNABORTED */) {
                return null;
            }
            throw new NativeException("accept on the server socket", errno);
        }
        return new Accepted(ready, fd);
    }

    static Peer peer(int fd) {
        byte[] cred = new byte[12];
        int[] length = {cred.length};
        Native.get().check("getsockopt SO_PEERCRED", Holder.CALLS.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, length));
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(cred).order(java.nio.ByteOrder.nativeOrder());
        return new Peer(Integer.toUnsignedLong(buffer.getInt(0)), Integer.toUnsignedLong(buffer.getInt(4)),
                Integer.toUnsignedLong(buffer.getInt(8)));
    }

    /** Wakes a thread blocked reading {@code fd} (it reads end-of-stream); the fd stays open. */
    static void shutdown(int fd) {
        Holder.CALLS.shutdown(fd, SHUT_RDWR);
    }

    /**
     * A duplicate of fd {@code target} of the process that {@code pidfd} refers to, close-on-exec
     * (the kernel checks that we could ptrace that process: our own uid, or root).
     */
    static int takeFd(int pidfd, int target) {
        Native n = Native.get();
        return (int) n.check("pidfd_getfd " + target, n.libc().syscall(PIDFD_GETFD, pidfd, target, 0, 0));
    }
}
