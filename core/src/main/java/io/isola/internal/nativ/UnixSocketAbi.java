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
    /** sizeof(sun_path), and of struct sockaddr_un (sa_family first). */
    public static final int SUN_PATH = 108, SOCKADDR_UN = 2 + SUN_PATH;

    private UnixSocketAbi() {}
}
