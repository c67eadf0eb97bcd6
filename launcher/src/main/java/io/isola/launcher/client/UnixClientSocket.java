package io.isola.launcher.client;

import static io.isola.internal.nativ.UnixSocketAbi.AF_UNIX;
import static io.isola.internal.nativ.UnixSocketAbi.CMSG_HEADER;
import static io.isola.internal.nativ.UnixSocketAbi.IOVEC;
import static io.isola.internal.nativ.UnixSocketAbi.MSGHDR;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_CMSG_CLOEXEC;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_NOSIGNAL;
import static io.isola.internal.nativ.UnixSocketAbi.SCM_RIGHTS;
import static io.isola.internal.nativ.UnixSocketAbi.SOCKADDR_UN;
import static io.isola.internal.nativ.UnixSocketAbi.SOCK_CLOEXEC;
import static io.isola.internal.nativ.UnixSocketAbi.SOCK_STREAM;
import static io.isola.internal.nativ.UnixSocketAbi.SOL_SOCKET;

import io.isola.internal.nativ.SocketLibc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The client's end of the server's unix socket, through libc by jffi alone: the JDK's channels
 * cannot pass fds (SCM_RIGHTS), and the client hands the server its very stdin, stdout and stderr
 * that way, as the kernel means fds to travel between processes (pidfd_getfd, used before, needs
 * ptrace rights over the client, which Yama's ptrace_scope=1 refuses to a server that is not its
 * ancestor). The calls go through a {@link SocketLibc}: jffi's for the JVM client, and the thin
 * create's JffiThinLibc, which shares it.
 */
final class UnixClientSocket implements AutoCloseable {

    /** errno's (Errno's own needs jnr-constants, which the JVM client has not). */
    private static final int EINTR = 4;

    private final SocketLibc libc;
    private int fd;

    private UnixClientSocket(SocketLibc libc, int fd) {
        this.libc = libc;
        this.fd = fd;
    }

    /** Connected to {@code socket} through jffi; null when nothing listens there (no file, or refused). */
    static UnixClientSocket connect(Path socket) throws IOException {
        return connect(JffiSocketLibc.INSTANCE, socket);
    }

    /** Connected to {@code socket} through {@code libc}; null when nothing listens there. */
    static UnixClientSocket connect(SocketLibc libc, Path socket) throws IOException {
        byte[] name = socket.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SOCKADDR_UN - 2) {
            throw new IOException("socket path \"" + socket + "\": longer than " + (SOCKADDR_UN - 3) + " bytes");
        }
        int fd = libc.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX): errno " + libc.lastErrno());
        }
        UnixClientSocket client = new UnixClientSocket(libc, fd);
        long address = libc.allocate(SOCKADDR_UN);
        try {
            libc.putByte(address, (byte) AF_UNIX); // sa_family, little-endian
            libc.putBytes(address + 2, name);
            int rc = libc.connect(fd, address, 2 + name.length + 1);
            if (rc < 0) {
                int errno = libc.lastErrno();
                client.close();
                if (errno == 2 /* ENOENT */ || errno == 111 /* ECONNREFUSED */) {
                    return null;
                }
                throw new IOException("connect to " + socket + ": errno " + errno);
            }
            return client;
        } finally {
            libc.free(address, SOCKADDR_UN);
        }
    }

    /** Passes {@code fds} to the server with one byte, as SCM_RIGHTS (the same open files, not copies). */
    void sendFds(int... fds) throws IOException {
        int space = CMSG_HEADER + (fds.length * 4 + 7) / 8 * 8;
        long size = MSGHDR + IOVEC + space + 8;
        long msg = libc.allocate(size);
        try {
            long iov = msg + MSGHDR, control = iov + IOVEC, data = control + space;
            libc.putByte(data, (byte) 'F');
            libc.putLong(iov, data);
            libc.putLong(iov + 8, 1);
            libc.putLong(msg + 16, iov); // msg_iov
            libc.putLong(msg + 24, 1); // msg_iovlen
            libc.putLong(msg + 32, control); // msg_control
            libc.putLong(msg + 40, space); // msg_controllen
            libc.putLong(control, CMSG_HEADER + fds.length * 4L); // cmsg_len
            libc.putInt(control + 8, SOL_SOCKET);
            libc.putInt(control + 12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                libc.putInt(control + CMSG_HEADER + 4L * i, fds[i]);
            }
            long sent;
            do {
                sent = libc.sendmsg(fd, msg, MSG_NOSIGNAL);
            } while (sent < 0 && libc.lastErrno() == EINTR);
            if (sent != 1) {
                throw new IOException("sendmsg of the client's stdio: errno " + libc.lastErrno());
            }
        } finally {
            libc.free(msg, size);
        }
    }

    /**
     * Fills {@code bytes} (a frame of a few bytes, which the server sends whole) with the fds
     * that came with them (SCM_RIGHTS, close-on-exec; at most {@link Wire#MAX_FDS}). Null at
     * the end of the stream. The fds that came with a frame cut short are closed, not returned.
     */
    int[] receive(byte[] bytes) throws IOException {
        int space = CMSG_HEADER + Wire.MAX_FDS * 4;
        long size = MSGHDR + IOVEC + space + bytes.length;
        long msg = libc.allocate(size);
        try {
            long iov = msg + MSGHDR, control = iov + IOVEC, data = control + space;
            libc.putLong(iov, data);
            libc.putLong(iov + 8, bytes.length);
            libc.putLong(msg + 16, iov); // msg_iov
            libc.putLong(msg + 24, 1); // msg_iovlen
            libc.putLong(msg + 32, control); // msg_control
            libc.putLong(msg + 40, space); // msg_controllen
            long got;
            do {
                got = libc.recvmsg(fd, msg, MSG_CMSG_CLOEXEC);
            } while (got < 0 && libc.lastErrno() == EINTR);
            int[] fds = new int[0];
            if (libc.getLong(msg + 40) >= CMSG_HEADER
                    && libc.getInt(control + 8) == SOL_SOCKET
                    && libc.getInt(control + 12) == SCM_RIGHTS) {
                fds = new int[(int) ((libc.getLong(control) - CMSG_HEADER) / 4)];
                for (int i = 0; i < fds.length; i++) {
                    fds[i] = libc.getInt(control + CMSG_HEADER + 4L * i);
                }
            }
            if (got != bytes.length) {
                // what came with a frame that is not one is no fd of ours to keep open
                for (int received : fds) {
                    libc.close(received);
                }
                if (got <= 0) {
                    return null;
                }
                throw new IOException("a frame of " + got + " bytes from the server, expected " + bytes.length);
            }
            libc.getBytes(data, bytes, 0, bytes.length);
            return fds;
        } finally {
            libc.free(msg, size);
        }
    }

    synchronized void write(byte[] bytes) throws IOException {
        long size = Math.max(1, bytes.length);
        long buffer = libc.allocate(size);
        try {
            libc.putBytes(buffer, bytes);
            for (int done = 0; done < bytes.length; ) {
                long n = libc.send(fd, buffer + done, bytes.length - done, MSG_NOSIGNAL);
                if (n < 0 && libc.lastErrno() == EINTR) {
                    continue;
                }
                if (n <= 0) {
                    throw new IOException("write to the server: errno " + libc.lastErrno());
                }
                done += (int) n;
            }
        } finally {
            libc.free(buffer, size);
        }
    }

    /** Fills {@code bytes}; false at the end of the stream before the first byte. */
    boolean readFully(byte[] bytes) throws IOException {
        long size = Math.max(1, bytes.length);
        long buffer = libc.allocate(size);
        try {
            int done = 0;
            while (done < bytes.length) {
                long n = libc.read(fd, buffer + done, bytes.length - done);
                if (n < 0 && libc.lastErrno() == EINTR) {
                    continue;
                }
                if (n < 0) {
                    return false; // reset by a server that died
                }
                if (n == 0) {
                    if (done == 0) {
                        return false;
                    }
                    throw new IOException("a frame cut short by the server");
                }
                done += (int) n;
            }
            libc.getBytes(buffer, bytes, 0, bytes.length);
            return true;
        } finally {
            libc.free(buffer, size);
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            libc.close(fd);
            fd = -1;
        }
    }
}
