package io.isola.launcher;

import io.isola.internal.nativ.NativeMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * The engine's side of runc's {@code --console-socket}, for tests: a listening AF_UNIX stream
 * socket that accepts one connection and receives one descriptor (SCM_RIGHTS) with its name.
 */
final class ConsoleSocketServer implements AutoCloseable {

    /** The few socket calls the test needs; the runtime's own binding has no receiving side. */
    public interface Sockets {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int bind(int fd, long address, int length);

        @SaveError
        int listen(int fd, int backlog);

        @SaveError
        int accept4(int fd, long address, long length, int flags);

        @SaveError
        long recvmsg(int fd, long message, int flags);

        @SaveError
        int close(int fd);
    }

    private static final Sockets LIBC = LibraryLoader.create(Sockets.class).load("c");
    private static final int AF_UNIX = 1,
            SOCK_STREAM = 1,
            SOCK_CLOEXEC = 02000000,
            SUN_BYTES = 110,
            MSG_CMSG_CLOEXEC = 0x40000000;

    private final Path path;
    private final int listening;

    ConsoleSocketServer(Path path) {
        this.path = path;
        listening = LIBC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        try (NativeMemory address = new NativeMemory(SUN_BYTES)) {
            NativeMemory.zero(address.address(), SUN_BYTES);
            NativeMemory.putShort(address.address(), (short) AF_UNIX);
            NativeMemory.putBytes(address.address() + 2, path.toString().getBytes(StandardCharsets.UTF_8));
            if (LIBC.bind(listening, address.address(), SUN_BYTES) < 0 || LIBC.listen(listening, 1) < 0) {
                throw new IllegalStateException("cannot listen on " + path);
            }
        }
    }

    Path path() {
        return path;
    }

    /** A received descriptor, and the name sent with it. */
    record Received(int fd, String name) {}

    /** Accepts one connection and receives one descriptor from it (blocks). */
    Received receive() {
        int connection = LIBC.accept4(listening, 0, 0, SOCK_CLOEXEC);
        if (connection < 0) {
            throw new IllegalStateException("accept failed");
        }
        try (NativeMemory memory = new NativeMemory(56 + 16 + 256 + 64)) {
            long at = memory.address(), iovec = at + 56, data = iovec + 16, control = data + 256;
            NativeMemory.zero(at, 56 + 16 + 256 + 64);
            NativeMemory.putLong(at + 16, iovec);
            NativeMemory.putLong(at + 24, 1);
            NativeMemory.putLong(at + 32, control);
            NativeMemory.putLong(at + 40, 64);
            NativeMemory.putLong(iovec, data);
            NativeMemory.putLong(iovec + 8, 256);
            long got = LIBC.recvmsg(connection, at, MSG_CMSG_CLOEXEC);
            if (got <= 0 || NativeMemory.getLong(at + 40) < 20) {
                throw new IllegalStateException("no descriptor received (" + got + " bytes)");
            }
            byte[] name = new byte[(int) got];
            for (int i = 0; i < got; i++) {
                name[i] = (byte) NativeMemory.getInt(data + i); // little-endian: the low byte is at data + i
            }
            return new Received(NativeMemory.getInt(control + 16), new String(name, StandardCharsets.UTF_8));
        } finally {
            LIBC.close(connection);
        }
    }

    @Override
    public void close() {
        LIBC.close(listening);
    }
}
