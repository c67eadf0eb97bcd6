package io.isola.spi.support;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.LibC;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeMemory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code lo} of a new network namespace, which the kernel creates down: brought up from the host,
 * as runc does for every new network namespace, with two ioctls on a socket opened inside the
 * namespace by a host thread that joins it ({@link NetnsWorker}: a reused thread that goes back to
 * the host's namespace after each container, as a {@link NamespaceThread} would end). Root on the
 * host only (see there); a rootless runtime brings it up from the child instead.
 */
public final class Loopback {

    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
    private static final long SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 1;
    /** struct ifreq: the name in IFNAMSIZ bytes, then a union whose ifr_flags is a short. */
    private static final int IFNAMSIZ = 16, IFREQ_SIZE = 40;

    private Loopback() {}

    /**
     * Brings {@code lo} up in the network namespace behind {@code netns} (its other flags kept).
     *
     * @throws IOException naming the call and the errno when the namespace cannot be joined or the
     *     kernel refuses
     */
    public static void up(Path netns) throws IOException {
        try {
            NetnsWorker.run(netns, Loopback::upHere);
        } catch (IOException e) {
            throw new IOException("cannot bring lo up in the container's network namespace: " + e.getMessage(), e);
        }
    }

    /** On a thread in the namespace: the socket is the namespace's, so the ioctls act on its lo. */
    private static void upHere() throws IOException {
        Native n = Native.get();
        LibC libc = n.libc();
        int socket = libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (socket < 0) {
            throw failure("socket(AF_INET)", n.lastErrno());
        }
        try (NativeMemory ifreq = new NativeMemory(IFREQ_SIZE)) {
            NativeMemory.zero(ifreq.address(), IFREQ_SIZE);
            NativeMemory.putString(ifreq.address(), "lo");
            if (libc.ioctl(socket, SIOCGIFFLAGS, ifreq.address()) < 0) {
                throw failure("ioctl(SIOCGIFFLAGS) on lo", n.lastErrno());
            }
            short flags = NativeMemory.getShort(ifreq.address() + IFNAMSIZ);
            if ((flags & IFF_UP) != 0) {
                return;
            }
            NativeMemory.putShort(ifreq.address() + IFNAMSIZ, (short) (flags | IFF_UP));
            if (libc.ioctl(socket, SIOCSIFFLAGS, ifreq.address()) < 0) {
                throw failure("ioctl(SIOCSIFFLAGS, IFF_UP) on lo", n.lastErrno());
            }
        } finally {
            Fds.closeQuietly(socket);
        }
    }

    private static IOException failure(String call, int errno) {
        return new IOException(call + " failed: " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
    }
}
