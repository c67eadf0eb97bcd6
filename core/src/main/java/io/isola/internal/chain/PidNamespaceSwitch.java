package io.isola.internal.chain;

import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;

/**
 * The cloning thread's PID namespace for children, switched for one clone: setns(CLONE_NEWPID)
 * sets only where the calling thread's next children are born (its own PID namespace never
 * changes), and the kernel allows it in a multithreaded process. Closing switches back to the
 * thread's own namespace, which the kernel always allows (it is the thread's active one).
 */
final class PidNamespaceSwitch implements AutoCloseable {

    private static final int CLONE_NEWPID = 0x20000000;

    /** The thread could not go back to its own PID namespace: it retires rather than clone again. */
    static final class Stuck extends IllegalStateException {
        Stuck(String message) {
            super(message);
        }
    }

    private final Native n = Native.get();
    private final int own;

    private PidNamespaceSwitch(int own) {
        this.own = own;
    }

    /** Joins the PID namespace of {@code fd} for this thread's children; throws naming the errno (EINVAL: not a PID namespace). */
    static PidNamespaceSwitch enter(int fd) {
        int own = Fds.open("/proc/thread-self/ns/pid", Fds.O_RDONLY, 0);
        Native n = Native.get();
        if (n.libc().setns(fd, CLONE_NEWPID) < 0) {
            int errno = n.lastErrno();
            Fds.closeQuietly(own);
            throw new NativeException("setns into the PID namespace to join (fd " + fd + ")", errno);
        }
        return new PidNamespaceSwitch(own);
    }

    @Override
    public void close() {
        try {
            if (n.libc().setns(own, CLONE_NEWPID) < 0) {
                // the thread's later children would be born in the joined namespace: it must not clone again
                throw new Stuck(new NativeException("setns back into the cloning thread's PID namespace", n.lastErrno())
                        .getMessage());
            }
        } finally {
            Fds.closeQuietly(own);
        }
    }
}
