package io.isola.internal.chain;

import io.isola.internal.nativ.CloneLibc;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.NativeException;

/**
 * The cloning thread's PID namespace for children, switched for one clone: setns(CLONE_NEWPID)
 * sets only where the calling thread's next children are born (its own PID namespace never
 * changes), and the kernel allows it in a multithreaded process. Closing switches back to the
 * thread's own namespace, which the kernel always allows (it is the thread's active one). Through
 * the cloning thread's {@link CloneLibc}: a thin client's exec on raw jffi loads no jnr-ffi.
 */
final class PidNamespaceSwitch implements AutoCloseable {

    private static final int CLONE_NEWPID = 0x20000000;

    /** The thread could not go back to its own PID namespace: it retires rather than clone again. */
    static final class Stuck extends IllegalStateException {
        Stuck(String message) {
            super(message);
        }
    }

    private final CloneLibc libc;
    private final int own;

    private PidNamespaceSwitch(CloneLibc libc, int own) {
        this.libc = libc;
        this.own = own;
    }

    /** Joins the PID namespace of {@code fd} for this thread's children; throws naming the errno (EINVAL: not a PID namespace). */
    static PidNamespaceSwitch enter(CloneLibc libc, int fd) {
        int own = libc.open("/proc/thread-self/ns/pid", Fds.O_RDONLY | Fds.O_CLOEXEC);
        if (own < 0) {
            throw new NativeException("open of the cloning thread's own PID namespace", libc.lastErrno());
        }
        if (libc.setns(fd, CLONE_NEWPID) < 0) {
            int errno = libc.lastErrno();
            libc.close(own);
            throw new NativeException("setns into the PID namespace to join (fd " + fd + ")", errno);
        }
        return new PidNamespaceSwitch(libc, own);
    }

    @Override
    public void close() {
        try {
            if (libc.setns(own, CLONE_NEWPID) < 0) {
                // the thread's later children would be born in the joined namespace: it must not clone again
                throw new Stuck(
                        new NativeException("setns back into the cloning thread's PID namespace", libc.lastErrno())
                                .getMessage());
            }
        } finally {
            libc.close(own);
        }
    }
}
