package io.isola.internal.nativ;

/**
 * The numbers and struct sizes of the AF_UNIX calls, one source for the core's, the server's and
 * the clients' sockets. They are the same on x86_64 and aarch64 (asm-generic values; LP64
 * layouts), and compile-time constants: the JVM client, which has no jnr-ffi, loads nothing
 * through them.
 */
public final class UnixSocketAbi {

    public static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1, SO_PEERCRED = 17, SO_RCVTIMEO = 20, SHUT_RDWR = 2;
    public static final int SCM_RIGHTS = 1, MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;
    /** struct msghdr, struct iovec and a cmsghdr's header (CMSG_LEN(0)). */
    public static final int MSGHDR = 56, IOVEC = 16, CMSG_HEADER = 16;
    /** Offsets in struct msghdr: msg_iov, msg_iovlen, msg_control, msg_controllen. */
    public static final int MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32, MSG_CONTROLLEN = 40;
    /** Offsets of iov_len in struct iovec, of cmsg_level and cmsg_type in struct cmsghdr (cmsg_len is first). */
    public static final int IOV_LEN = 8, CMSG_LEVEL = 8, CMSG_TYPE = 12;
    /** sizeof(sun_path), and of struct sockaddr_un (sa_family first). */
    public static final int SUN_PATH = 108, SOCKADDR_UN = 2 + SUN_PATH;

    private UnixSocketAbi() {}

    /** CMSG_SPACE of {@code count} fds: the header and the ints, padded to 8 bytes. */
    public static int cmsgSpace(int count) {
        return CMSG_HEADER + (count * 4 + 7) / 8 * 8;
    }

    /** CMSG_LEN of {@code count} fds: the header and the ints, unpadded (a cmsghdr's cmsg_len). */
    public static int cmsgLen(int count) {
        return CMSG_HEADER + count * 4;
    }
}
