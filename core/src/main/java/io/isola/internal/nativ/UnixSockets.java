package io.isola.internal.nativ;

import static io.isola.internal.nativ.UnixSocketAbi.AF_UNIX;
import static io.isola.internal.nativ.UnixSocketAbi.CMSG_HEADER;
import static io.isola.internal.nativ.UnixSocketAbi.CMSG_LEVEL;
import static io.isola.internal.nativ.UnixSocketAbi.CMSG_TYPE;
import static io.isola.internal.nativ.UnixSocketAbi.IOV_LEN;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_CONTROL;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_CONTROLLEN;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_IOV;
import static io.isola.internal.nativ.UnixSocketAbi.MSG_IOVLEN;
import static io.isola.internal.nativ.UnixSocketAbi.SCM_RIGHTS;
import static io.isola.internal.nativ.UnixSocketAbi.SOCK_CLOEXEC;
import static io.isola.internal.nativ.UnixSocketAbi.SOCK_STREAM;
import static io.isola.internal.nativ.UnixSocketAbi.SOL_SOCKET;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The host's AF_UNIX client calls: a stream socket, a connect by path, a descriptor sent with SCM_RIGHTS. */
final class UnixSockets {

    static final int SUN_PATH_BYTES = UnixSocketAbi.SUN_PATH;
    /** Where the msghdr, its one iovec and the payload are in one allocation. */
    private static final int MSGHDR = 0, IOVEC = UnixSocketAbi.MSGHDR, DATA = IOVEC + UnixSocketAbi.IOVEC;

    private UnixSockets() {}

    static int stream() {
        Native n = Native.get();
        return n.check("socket", n.libc().socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    }

    /** SO_SNDTIMEO (asm-generic, x86_64 and aarch64 alike); struct timeval is two longs. */
    private static final int SO_SNDTIMEO = 21, TIMEVAL_BYTES = 16;

    /**
     * connect(2) to {@code path}, bounded by {@code timeout}: the kernel makes an AF_UNIX connect
     * wait while the listener's backlog is full (a peer that never accepts), for as long as the
     * socket's send timeout, which then bounds the sends too (EAGAIN once it passed). The failure
     * carries connect's errno.
     */
    static void connect(int socket, String path, Duration timeout) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_BYTES) {
            throw new IllegalArgumentException(
                    "AF_UNIX path \"" + path + "\": longer than " + (SUN_PATH_BYTES - 1) + " bytes");
        }
        Native n = Native.get();
        try (NativeMemory timeval = new NativeMemory(TIMEVAL_BYTES)) {
            long millis = Math.max(1, timeout.toMillis());
            NativeMemory.putLong(timeval.address(), millis / 1000);
            NativeMemory.putLong(timeval.address() + 8, (millis % 1000) * 1000);
            n.check(
                    "setsockopt SO_SNDTIMEO",
                    n.libc().setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, timeval.address(), TIMEVAL_BYTES));
        }
        try (NativeMemory address = new NativeMemory(2 + SUN_PATH_BYTES)) {
            NativeMemory.zero(address.address(), 2 + SUN_PATH_BYTES);
            NativeMemory.putShort(address.address(), (short) AF_UNIX);
            NativeMemory.putBytes(address.address() + 2, name);
            if (n.libc().connect(socket, address.address(), 2 + SUN_PATH_BYTES) < 0) {
                throw new NativeException("connect " + path, n.lastErrno());
            }
        }
    }

    /** sendmsg with one iovec ({@code payload}) and one SCM_RIGHTS control message ({@code fd}). */
    static void sendFd(int socket, int fd, byte[] payload, String what) {
        Native n = Native.get();
        int control = DATA + payload.length;
        int controlLength = UnixSocketAbi.cmsgSpace(1);
        try (NativeMemory memory = new NativeMemory(control + controlLength)) {
            long at = memory.address();
            NativeMemory.zero(at, control + controlLength);
            NativeMemory.putLong(at + MSGHDR + MSG_IOV, at + IOVEC);
            NativeMemory.putLong(at + MSGHDR + MSG_IOVLEN, 1);
            NativeMemory.putLong(at + MSGHDR + MSG_CONTROL, at + control);
            NativeMemory.putLong(at + MSGHDR + MSG_CONTROLLEN, controlLength);
            NativeMemory.putLong(at + IOVEC, at + DATA); // iov_base
            NativeMemory.putLong(at + IOVEC + IOV_LEN, payload.length);
            NativeMemory.putBytes(at + DATA, payload);
            NativeMemory.putLong(at + control, UnixSocketAbi.cmsgLen(1)); // cmsg_len
            NativeMemory.putInt(at + control + CMSG_LEVEL, SOL_SOCKET);
            NativeMemory.putInt(at + control + CMSG_TYPE, SCM_RIGHTS);
            NativeMemory.putInt(at + control + CMSG_HEADER, fd);
            long sent = n.retrying(what, () -> n.libc().sendmsg(socket, at, 0));
            if (sent != payload.length) {
                throw new NativeException(what + " (cut short)", 0);
            }
        }
    }
}
