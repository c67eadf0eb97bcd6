package io.isola.launcher.client;

import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The client's end of the server's unix socket, through libc by jffi alone: the JDK's channels
 * cannot pass fds (SCM_RIGHTS), and the client hands the server its very stdin, stdout and stderr
 * that way, as the kernel means fds to travel between processes (pidfd_getfd, used before, needs
 * ptrace rights over the client, which Yama's ptrace_scope=1 refuses to a server that is not its
 * ancestor). jffi without jnr-ffi: jnr-ffi's binding generator would cost the client ~200 ms; a
 * few jffi calls cost a few ms, and bin/isola-cds's client archive holds their classes.
 */
final class UnixClientSocket implements AutoCloseable {

    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000, SOL_SOCKET = 1, SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000, EINTR = 4;
    /** struct msghdr and struct iovec on 64-bit Linux; a cmsghdr's header; struct sockaddr_un. */
    private static final int MSGHDR = 56, IOVEC = 16, CMSG_HEADER = 16, SOCKADDR_UN = 110;

    private static final class Libc {
        static final Library LIBRARY = Library.getCachedInstance("libc.so.6", Library.LAZY);
        static final Function SOCKET = function("socket", Type.SINT, Type.SINT, Type.SINT);
        static final Function CONNECT = function("connect", Type.SINT, Type.POINTER, Type.UINT);
        static final Function SENDMSG = function("sendmsg", Type.SINT, Type.POINTER, Type.SINT);
        static final Function SEND = function("send", Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
        static final Function RECVMSG = function("recvmsg", Type.SINT, Type.POINTER, Type.SINT);
        static final Function READ = function("read", Type.SINT, Type.POINTER, Type.ULONG);
        static final Function CLOSE = function("close", Type.SINT);

        private static Function function(String name, Type... parameters) {
            long address = LIBRARY.getSymbolAddress(name);
            if (address == 0) {
                throw new IllegalStateException("libc has no function \"" + name + "\"");
            }
            return new Function(
                    address,
                    name.equals("send") || name.equals("read") || name.equals("recvmsg") ? Type.SLONG : Type.SINT,
                    parameters,
                    CallingConvention.DEFAULT,
                    true);
        }
    }

    private final MemoryIO memory = MemoryIO.getInstance();
    private final Invoker invoker = Invoker.getInstance();
    private int fd;

    private UnixClientSocket(int fd) {
        this.fd = fd;
    }

    /** Connected to {@code socket}; null when nothing listens there (no file, or refused). */
    static UnixClientSocket connect(Path socket) throws IOException {
        byte[] name = socket.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SOCKADDR_UN - 2) {
            throw new IOException("socket path \"" + socket + "\": longer than " + (SOCKADDR_UN - 3) + " bytes");
        }
        Invoker invoker = Invoker.getInstance();
        MemoryIO memory = MemoryIO.getInstance();
        int fd = (int) invoker.invokeN3(
                Libc.SOCKET.getCallContext(), Libc.SOCKET.getFunctionAddress(), AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException(
                    "socket(AF_UNIX): errno " + LastError.getInstance().get());
        }
        UnixClientSocket client = new UnixClientSocket(fd);
        long address = memory.allocateMemory(SOCKADDR_UN, true);
        try {
            memory.putByte(address, (byte) AF_UNIX); // sa_family, little-endian
            memory.putByteArray(address + 2, name, 0, name.length);
            int rc = (int) invoker.invokeN3(
                    Libc.CONNECT.getCallContext(), Libc.CONNECT.getFunctionAddress(), fd, address, 2 + name.length + 1);
            if (rc < 0) {
                int errno = LastError.getInstance().get();
                client.close();
                if (errno == 2 /* ENOENT */ || errno == 111 /* ECONNREFUSED */) {
                    return null;
                }
                throw new IOException("connect to " + socket + ": errno " + errno);
            }
            return client;
        } finally {
            memory.freeMemory(address);
        }
    }

    /** Passes {@code fds} to the server with one byte, as SCM_RIGHTS (the same open files, not copies). */
    void sendFds(int... fds) throws IOException {
        int space = CMSG_HEADER + (fds.length * 4 + 7) / 8 * 8;
        long msg = memory.allocateMemory(MSGHDR + IOVEC + space + 8, true);
        try {
            long iov = msg + MSGHDR, control = iov + IOVEC, data = control + space;
            memory.putByte(data, (byte) 'F');
            memory.putLong(iov, data);
            memory.putLong(iov + 8, 1);
            memory.putLong(msg + 16, iov); // msg_iov
            memory.putLong(msg + 24, 1); // msg_iovlen
            memory.putLong(msg + 32, control); // msg_control
            memory.putLong(msg + 40, space); // msg_controllen
            memory.putLong(control, CMSG_HEADER + fds.length * 4L); // cmsg_len
            memory.putInt(control + 8, SOL_SOCKET);
            memory.putInt(control + 12, SCM_RIGHTS);
            memory.putIntArray(control + CMSG_HEADER, fds, 0, fds.length);
            int sent; // an int returned through jffi's native-word call: its upper half is not the sign's
            do {
                sent = (int) invoker.invokeN3(
                        Libc.SENDMSG.getCallContext(), Libc.SENDMSG.getFunctionAddress(), fd, msg, MSG_NOSIGNAL);
            } while (sent < 0 && LastError.getInstance().get() == EINTR);
            if (sent != 1) {
                throw new IOException("sendmsg of the client's stdio: errno "
                        + LastError.getInstance().get());
            }
        } finally {
            memory.freeMemory(msg);
        }
    }

    /**
     * Fills {@code bytes} (a frame of a few bytes, which the server sends whole) with the fds
     * that came with them (SCM_RIGHTS, close-on-exec; at most 4). Null at the end of the stream.
     */
    int[] receive(byte[] bytes) throws IOException {
        int space = CMSG_HEADER + 16;
        long msg = memory.allocateMemory(MSGHDR + IOVEC + space + bytes.length, true);
        try {
            long iov = msg + MSGHDR, control = iov + IOVEC, data = control + space;
            memory.putLong(iov, data);
            memory.putLong(iov + 8, bytes.length);
            memory.putLong(msg + 16, iov); // msg_iov
            memory.putLong(msg + 24, 1); // msg_iovlen
            memory.putLong(msg + 32, control); // msg_control
            memory.putLong(msg + 40, space); // msg_controllen
            long got;
            do {
                got = invoker.invokeN3(
                        Libc.RECVMSG.getCallContext(), Libc.RECVMSG.getFunctionAddress(), fd, msg, MSG_CMSG_CLOEXEC);
            } while (got < 0 && LastError.getInstance().get() == EINTR);
            int[] fds = new int[0];
            if (memory.getLong(msg + 40) >= CMSG_HEADER
                    && memory.getInt(control + 8) == SOL_SOCKET
                    && memory.getInt(control + 12) == SCM_RIGHTS) {
                fds = new int[(int) ((memory.getLong(control) - CMSG_HEADER) / 4)];
                memory.getIntArray(control + CMSG_HEADER, fds, 0, fds.length);
            }
            if (got <= 0) {
                return null;
            }
            if (got != bytes.length) {
                throw new IOException("a frame of " + got + " bytes from the server, expected " + bytes.length);
            }
            memory.getByteArray(data, bytes, 0, bytes.length);
            return fds;
        } finally {
            memory.freeMemory(msg);
        }
    }

    synchronized void write(byte[] bytes) throws IOException {
        long buffer = memory.allocateMemory(Math.max(1, bytes.length), false);
        try {
            memory.putByteArray(buffer, bytes, 0, bytes.length);
            for (int done = 0; done < bytes.length; ) {
                long n = invoker.invokeN4(
                        Libc.SEND.getCallContext(),
                        Libc.SEND.getFunctionAddress(),
                        fd,
                        buffer + done,
                        bytes.length - done,
                        MSG_NOSIGNAL);
                if (n < 0 && LastError.getInstance().get() == EINTR) {
                    continue;
                }
                if (n <= 0) {
                    throw new IOException("write to the server: errno "
                            + LastError.getInstance().get());
                }
                done += (int) n;
            }
        } finally {
            memory.freeMemory(buffer);
        }
    }

    /** Fills {@code bytes}; false at the end of the stream before the first byte. */
    boolean readFully(byte[] bytes) throws IOException {
        long buffer = memory.allocateMemory(bytes.length, false);
        try {
            int done = 0;
            while (done < bytes.length) {
                long n = invoker.invokeN3(
                        Libc.READ.getCallContext(),
                        Libc.READ.getFunctionAddress(),
                        fd,
                        buffer + done,
                        bytes.length - done);
                if (n < 0 && LastError.getInstance().get() == EINTR) {
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
            memory.getByteArray(buffer, bytes, 0, bytes.length);
            return true;
        } finally {
            memory.freeMemory(buffer);
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            invoker.invokeN1(Libc.CLOSE.getCallContext(), Libc.CLOSE.getFunctionAddress(), fd);
            fd = -1;
        }
    }
}
