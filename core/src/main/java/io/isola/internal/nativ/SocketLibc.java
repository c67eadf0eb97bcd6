package io.isola.internal.nativ;

/**
 * The calls the launcher's UnixClientSocket makes: the JDK's channels cannot pass fds
 * (SCM_RIGHTS). On jffi alone, without jnr-ffi, for the JVM client and the thin create. Results and errno as libc's: -1 and {@link #lastErrno}.
 */
public interface SocketLibc extends ForeignMemory {

    int socket(int domain, int type, int protocol);

    int connect(int fd, long address, int length);

    long sendmsg(int fd, long message, int flags);

    long recvmsg(int fd, long message, int flags);

    long send(int fd, long buffer, long length, int flags);

    long read(int fd, long buffer, long count);

    int close(int fd);

    /** The errno of this thread's last call through this binding. */
    int lastErrno();
}
