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
 * The server's unix socket, on raw fds: the JDK's channels cannot tell the peer's pid
 * (SO_PEERCRED), and the accepted fd is read and written with the core's fd streams anyway.
 * Also the one call that takes a client's fd: pidfd_getfd.
 */
final class UnixSockets {

    /** The socket calls that core's binding does not declare. */
    public interface Calls {
        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] address, int length);

        int listen(int fd, int backlog);

        int accept4(int fd, long address, long length, int flags);

        int getsockopt(int fd, int level, int name, @Out byte[] value, @In @Out int[] length);

        int shutdown(int fd, int how);
    }

    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1, SO_PEERCRED = 17, SHUT_RDWR = 2;
    private static final short POLLIN = 1;
    /** Unified system call numbers (Linux 5.6 on): the same on x86_64 and aarch64. */
    private static final long PIDFD_GETFD = 438;
    private static final int SUN_PATH = 108;

    private static final class Holder {
        static final Calls CALLS = LibraryLoader.create(Calls.class).load("c");
    }

    /** Who is at the other end of a connection, as the kernel recorded it at connect(). */
    record Peer(long pid, long uid, long gid) {}

    private UnixSockets() {}

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

    /** The next connection, close-on-exec; -1 when none came within {@code timeoutMillis}. */
    static int accept(int listener, int timeoutMillis) {
        Native n = Native.get();
        try (NativeMemory poll = new NativeMemory(8)) {
            NativeMemory.putInt(poll.address(), listener);
            NativeMemory.putInt(poll.address() + 4, POLLIN);
            int ready = n.libc().poll(poll.address(), 1, timeoutMillis);
            if (ready <= 0) {
                if (ready < 0 && n.lastErrno() != Errno.EINTR) {
                    throw new NativeException("poll on the server socket", n.lastErrno());
                }
                return -1;
            }
        }
        int fd = Holder.CALLS.accept4(listener, 0, 0, SOCK_CLOEXEC);
        if (fd < 0) {
            int errno = n.lastErrno();
            if (errno == Errno.EINTR || errno == Errno.EAGAIN || errno == 103 /* ECONNABORTED */) {
                return -1;
            }
            throw new NativeException("accept on the server socket", errno);
        }
        return fd;
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
