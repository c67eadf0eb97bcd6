package io.isola.internal.nativ;

/**
 * Everything a thin create's JVM (the launcher's ThinCreate, issue 17) calls in libc: the chain's
 * calls, the socket's, and a few of its own. {@link #ffm} gives the FFM one (the isola-ffm
 * module, JDK 22 or later, on the class path bin/isola gives the thin JVM), which loads no jnr-ffi
 * or jffi; else the launcher takes its JnrThinLibc. Results and errno as libc's: -1 and {@link #lastErrno}.
 */
public interface ThinLibc extends CloneLibc, SocketLibc {

    /** The FFM binding's class, in the isola-ffm jar: compiled for JDK 22, so named, never linked. */
    String FFM = "io.isola.ffm.FfmThinLibc";

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

    /**
     * The FFM binding on JDK 22 or later when its jar is on the class path, else null (the caller
     * takes jnr-ffi's); {@code -Disola.thin.libc=jnr} insists on jnr-ffi. No lambda: a thin JVM's
     * first one costs the lambda machinery's start.
     */
    static ThinLibc ffm() {
        if (Runtime.version().feature() >= 22 && !"jnr".equals(System.getProperty("isola.thin.libc"))) {
            try {
                return (ThinLibc) Class.forName(FFM).getConstructor().newInstance();
            } catch (ClassNotFoundException e) {
                return null; // not on this class path: jnr-ffi's, as on JDK 17
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot bind libc through the FFM API (" + FFM + ")", e);
            }
        }
        return null;
    }
}
