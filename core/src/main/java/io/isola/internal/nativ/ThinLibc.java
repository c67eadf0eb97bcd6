package io.isola.internal.nativ;

/**
 * Everything a thin create's JVM (the launcher's ThinCreate, issue 17) calls in libc: the chain's
 * calls, the socket's, and a few of its own; the launcher's JffiThinLibc binds them through raw
 * jffi, without jnr-ffi. Results and errno as libc's: -1 and {@link #lastErrno}.
 */
public interface ThinLibc extends CloneLibc, SocketLibc {

    /** getrlimit's resource number of the open-file limit. */
    int RLIMIT_NOFILE = 7;

    int fcntl(int fd, int command, int arg);

    int pidfdOpen(int pid);

    int pidfdSendSignal(int pidfd, int signal);

    int poll(long fds, int count, int timeoutMillis);

    int waitid(int idType, int id, long info, int options);

    /** glibc's syscall(number, a1, a2, a3, a4). */
    long syscall(long number, long a1, long a2, long a3, long a4);

    @Override
    int lastErrno();

    /**
     * This process's RLIMIT_NOFILE soft limit: it can hold no fd numbered that or higher
     * (Integer.MAX_VALUE for more, or none).
     */
    default int openFileLimit() {
        long limits = allocate(16); // struct rlimit64: soft, hard
        try {
            if (syscall(SyscallNumbers.PRLIMIT64, 0, RLIMIT_NOFILE, 0, limits) != 0) {
                throw new IllegalStateException("prlimit64 of RLIMIT_NOFILE: errno " + lastErrno());
            }
            long soft = getLong(limits); // RLIM_INFINITY is all ones: negative here
            return soft < 0 || soft > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) soft;
        } finally {
            free(limits, 16);
        }
    }

    /**
     * Whether this process handles or ignores {@code signal} (a disposition other than SIG_DFL),
     * by the raw rt_sigaction: glibc's wrapper refuses 32 and 33, which a JVM's environment may
     * ignore.
     */
    default boolean handlesSignal(int signal) {
        long action = allocate(SyscallNumbers.KERNEL_SIGACTION_BYTES);
        try {
            long rc = syscall(SyscallNumbers.RT_SIGACTION, signal, 0, action, SyscallNumbers.KERNEL_SIGSET_BYTES);
            return rc == 0 && getLong(action) != 0;
        } finally {
            free(action, SyscallNumbers.KERNEL_SIGACTION_BYTES);
        }
    }
}
