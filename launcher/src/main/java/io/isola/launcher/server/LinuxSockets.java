package io.isola.launcher.server;

import static io.isola.internal.nativ.UnixSocketAbi.AF_UNIX;
import static io.isola.internal.nativ.UnixSocketAbi.CMSG_HEADER;
import static io.isola.internal.nativ.UnixSocketAbi.CMSG_LEVEL;
import static io.isola.internal.nativ.UnixSocketAbi.CMSG_TYPE;
import static io.isola.internal.nativ.UnixSocketAbi.IOVEC;
import static io.isola.internal.nativ.UnixSocketAbi.IOV_LEN;
import static io.isola.internal.nativ.UnixSocketAbi.MSGHDR;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_CMSG_CLOEXEC;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_CONTROL;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_CONTROLLEN;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_IOV;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_IOVLEN;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_NOSIGNAL;
import static io.isola.internal.nativ.UnixSocketAbi.SCM_RIGHTS;
import static io.isola.internal.nativ.UnixSocketAbi.SHUT_RDWR;
import static io.isola.internal.nativ.UnixSocketAbi.SOCK_CLOEXEC;
import static io.isola.internal.nativ.UnixSocketAbi.SOCK_STREAM;
import static io.isola.internal.nativ.UnixSocketAbi.SOL_SOCKET;
import static io.isola.internal.nativ.UnixSocketAbi.SO_PEERCRED;
import static io.isola.internal.nativ.UnixSocketAbi.SO_RCVTIMEO;
import static io.isola.internal.nativ.UnixSocketAbi.SUN_PATH;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.NativeMemory;
import io.isola.internal.nativ.UnixSocketAbi;
import io.isola.launcher.client.Wire;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/** {@link Sockets} through libc (jnr-ffi): the socket calls core's binding lacks, and its poll. */
final class LinuxSockets implements Sockets {

    static final LinuxSockets INSTANCE = new LinuxSockets();

    /** The socket calls that core's binding does not declare. */
    public interface Calls {
        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] address, int length);

        int listen(int fd, int backlog);

        int accept4(int fd, long address, long length, int flags);

        int getsockopt(int fd, int level, int name, @Out byte[] value, @In @Out int[] length);

        int setsockopt(int fd, int level, int name, @In byte[] value, int length);

        int shutdown(int fd, int how);

        long recvmsg(int fd, long message, int flags);

        long sendmsg(int fd, long message, int flags);
    }

    /** Room for 4 fds. */
    private static final int CONTROL = UnixSocketAbi.cmsgSpace(4);

    private static final short POLLIN = 1;

    private static final class Holder {
        static final Calls CALLS = LibraryLoader.create(Calls.class).load("c");
    }

    private LinuxSockets() {}

    @Override
    public int listen(Path path, int backlog) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH) {
            throw new IllegalArgumentException(
                    "socket path \"" + path + "\": longer than " + (SUN_PATH - 1) + " bytes");
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

    @Override
    public void receiveTimeout(int fd, int millis) {
        byte[] timeval = java.nio.ByteBuffer.allocate(16)
                .order(java.nio.ByteOrder.nativeOrder())
                .putLong(millis / 1000)
                .putLong(millis % 1000 * 1000L)
                .array();
        Native.get()
                .check(
                        "setsockopt SO_RCVTIMEO",
                        Holder.CALLS.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, timeval.length));
    }

    @Override
    public int poll(int[] fds, int timeoutMillis) {
        Native n = Native.get();
        try (NativeMemory poll = new NativeMemory(8L * fds.length)) {
            for (int i = 0; i < fds.length; i++) {
                NativeMemory.putInt(poll.address() + 8L * i, fds[i]);
                NativeMemory.putInt(poll.address() + 8L * i + 4, POLLIN); // revents: 0
            }
            int count = n.libc().poll(poll.address(), fds.length, timeoutMillis);
            if (count < 0 && n.lastErrno() != Errno.EINTR) {
                throw new NativeException("poll on the server's socket and FIFO", n.lastErrno());
            }
            for (int i = 0; i < fds.length && count > 0; i++) {
                if (NativeMemory.getShort(poll.address() + 8L * i + 6) != 0) {
                    return i;
                }
            }
            return -1;
        }
    }

    @Override
    public int accept(int listener) {
        Native n = Native.get();
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

    @Override
    public Peer peer(int fd) {
        byte[] cred = new byte[12];
        int[] length = {cred.length};
        Native.get()
                .check("getsockopt SO_PEERCRED", Holder.CALLS.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, length));
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(cred).order(java.nio.ByteOrder.nativeOrder());
        return new Peer(
                Integer.toUnsignedLong(buffer.getInt(0)),
                Integer.toUnsignedLong(buffer.getInt(4)),
                Integer.toUnsignedLong(buffer.getInt(8)));
    }

    @Override
    public void shutdown(int fd) {
        Holder.CALLS.shutdown(fd, SHUT_RDWR);
    }

    @Override
    public void sendFds(int fd, byte[] bytes, int[] fds) {
        if (fds.length > Wire.MAX_FDS) {
            throw new IllegalArgumentException(
                    fds.length + " fds: at most " + Wire.MAX_FDS + " travel with one message");
        }
        Native n = Native.get();
        int space = UnixSocketAbi.cmsgSpace(fds.length);
        try (NativeMemory memory = new NativeMemory(MSGHDR + IOVEC + space + bytes.length)) {
            long msg = memory.address(), iov = msg + MSGHDR, control = iov + IOVEC, data = control + space;
            NativeMemory.zero(msg, memory.size());
            NativeMemory.putBytes(data, bytes);
            NativeMemory.putLong(iov, data);
            NativeMemory.putLong(iov + IOV_LEN, bytes.length);
            NativeMemory.putLong(msg + MSG_IOV, iov);
            NativeMemory.putLong(msg + MSG_IOVLEN, 1);
            NativeMemory.putLong(msg + MSG_CONTROL, control);
            NativeMemory.putLong(msg + MSG_CONTROLLEN, space);
            NativeMemory.putLong(control, UnixSocketAbi.cmsgLen(fds.length)); // cmsg_len
            NativeMemory.putInt(control + CMSG_LEVEL, SOL_SOCKET);
            NativeMemory.putInt(control + CMSG_TYPE, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                NativeMemory.putInt(control + CMSG_HEADER + 4L * i, fds[i]);
            }
            long sent = Holder.CALLS.sendmsg(fd, msg, MSG_NOSIGNAL);
            while (sent < 0 && n.lastErrno() == Errno.EINTR) {
                sent = Holder.CALLS.sendmsg(fd, msg, MSG_NOSIGNAL);
            }
            if (sent < 0) {
                throw new NativeException("sendmsg of " + fds.length + " fds to the client", n.lastErrno());
            }
            if (sent != bytes.length) { // a unix stream socket sends a message this small whole, or blocks
                throw new IllegalStateException("sendmsg sent " + sent + " of " + bytes.length + " bytes");
            }
        }
    }

    @Override
    public int[] receiveFds(int fd, int count) {
        Native n = Native.get();
        try (NativeMemory memory = new NativeMemory(MSGHDR + IOVEC + CONTROL + 8)) {
            long msg = memory.address(), iov = msg + MSGHDR, control = iov + IOVEC, data = control + CONTROL;
            NativeMemory.zero(msg, memory.size());
            NativeMemory.putLong(iov, data);
            NativeMemory.putLong(iov + IOV_LEN, 1);
            NativeMemory.putLong(msg + MSG_IOV, iov);
            NativeMemory.putLong(msg + MSG_IOVLEN, 1);
            NativeMemory.putLong(msg + MSG_CONTROL, control);
            NativeMemory.putLong(msg + MSG_CONTROLLEN, CONTROL);
            long got = Holder.CALLS.recvmsg(fd, msg, MSG_CMSG_CLOEXEC);
            while (got < 0 && n.lastErrno() == Errno.EINTR) {
                got = Holder.CALLS.recvmsg(fd, msg, MSG_CMSG_CLOEXEC);
            }
            if (got < 0) {
                throw new NativeException("recvmsg of the client's stdio", n.lastErrno());
            }
            int[] fds = new int[0];
            if (NativeMemory.getLong(msg + MSG_CONTROLLEN) >= CMSG_HEADER
                    && NativeMemory.getInt(control + CMSG_LEVEL) == SOL_SOCKET
                    && NativeMemory.getInt(control + CMSG_TYPE) == SCM_RIGHTS) {
                fds = new int[(int) ((NativeMemory.getLong(control) - CMSG_HEADER) / 4)];
                for (int i = 0; i < fds.length; i++) {
                    fds[i] = NativeMemory.getInt(control + CMSG_HEADER + 4L * i);
                }
            }
            if (fds.length != count || got != 1) {
                for (int received : fds) {
                    Fds.closeQuietly(received);
                }
                throw new IllegalStateException("a client passed " + fds.length + " fds with " + got
                        + " bytes; expected " + count + " (its stdin, stdout and stderr) with 1");
            }
            return fds;
        }
    }
}
