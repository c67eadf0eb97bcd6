package io.isola.launcher.client;

import io.isola.internal.nativ.ThinLibc;
import java.io.IOException;
import java.time.Duration;

/**
 * The child a thin create cloned, held by a pidfd through its {@link ThinLibc} (core's Pidfd is
 * jnr-ffi's): opened while the child is ours and unreaped, so its pid cannot have been reused.
 * Only what a failed create needs: a signal and a bounded wait that reaps it.
 */
final class ThinChild {

    private static final int P_PIDFD = 3, WEXITED = 4, WNOHANG = 1, EINTR = 4;
    private static final short POLLIN = 1;
    private static final int SIGINFO_BYTES = 128;

    private final ThinLibc libc;
    private final int pid;
    private int fd;

    private ThinChild(ThinLibc libc, int pid, int fd) {
        this.libc = libc;
        this.pid = pid;
        this.fd = fd;
    }

    static ThinChild open(ThinLibc libc, int pid) throws IOException {
        int fd = libc.pidfdOpen(pid);
        if (fd < 0) {
            throw new IOException("pidfd_open of the cloned child " + pid + ": errno " + libc.lastErrno());
        }
        return new ThinChild(libc, pid, fd);
    }

    int pid() {
        return pid;
    }

    /** Sends {@code signal}; a child that has ended already ignores it. */
    void signal(int signal) {
        if (fd >= 0) {
            libc.pidfdSendSignal(fd, signal);
        }
    }

    /** Waits up to {@code timeout} for the child to end and reaps it; false when it did not end by then. */
    boolean awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long memory = libc.allocate(SIGINFO_BYTES);
        try {
            while (fd >= 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                libc.putInt(memory, fd);
                libc.putInt(memory + 4, POLLIN);
                int ready = libc.poll(memory, 1, (int) Math.max(0, Math.min(left, 200)));
                if (ready > 0) {
                    libc.zero(memory, SIGINFO_BYTES);
                    int rc;
                    do {
                        rc = libc.waitid(P_PIDFD, fd, memory, WEXITED | WNOHANG);
                    } while (rc < 0 && libc.lastErrno() == EINTR);
                    close();
                    return true;
                }
                if (left <= 0) {
                    return false;
                }
            }
            return true;
        } finally {
            libc.free(memory, SIGINFO_BYTES);
        }
    }

    void close() {
        if (fd >= 0) {
            libc.close(fd);
            fd = -1;
        }
    }
}
