package io.isola.internal.nativ;

import io.isola.api.ExitStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A child process held by a pidfd: signals and waits that cannot hit a reused pid, and waits with
 * a timeout (poll on the pidfd).
 */
public final class Pidfd implements HeldProcess {

    private static final int P_PIDFD = 3, WEXITED = 4;
    private static final int CLD_EXITED = 1;
    private static final short POLLIN = 1;
    private static final int SIGINFO_BYTES = 128, SI_CODE = 8, SI_STATUS = 24;
    /** PID_FS_MAGIC: pidfds are files of pidfs (Linux 6.9), not of the shared anonymous inode. */
    private static final long PIDFS_MAGIC = 0x50494446L;

    private static final int STATFS_BYTES = 128;
    /** Whether this kernel's pidfds are on pidfs; null until the first pidfd was asked. */
    private static volatile Boolean onPidfs;

    private final Native n = Native.get();
    private final long pid;
    private int fd;
    private ExitStatus status;

    private Pidfd(long pid, int fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /** Opens a pidfd for our own unreaped child, whose pid therefore cannot have been reused. */
    public static Pidfd open(long pid) {
        Native n = Native.get();
        int fd = n.check("pidfd_open " + pid, n.libc().pidfd_open((int) pid, 0));
        return new Pidfd(pid, fd);
    }

    /**
     * A pidfd for any process {@code pid}, or null when there is none. Until it is open the pid may
     * name a later process: check the process's identity after opening, then act through the pidfd.
     */
    public static Pidfd openIfAny(long pid) {
        if (pid <= 0) {
            return null;
        }
        int fd = Native.get().libc().pidfd_open((int) pid, 0);
        return fd < 0 ? null : new Pidfd(pid, fd);
    }

    @Override
    public long pid() {
        return pid;
    }

    /**
     * Sends {@code signal} unless the process has been reaped already; a zombie ignores it. False
     * when there was no process to send it to (reaped, or gone: ESRCH).
     */
    @Override
    public synchronized boolean signal(int signal) {
        if (status != null || fd < 0) {
            return false;
        }
        int rc = n.libc().pidfd_send_signal(fd, signal, 0, 0);
        if (rc < 0 && n.lastErrno() != Errno.ESRCH) {
            throw new NativeException("pidfd_send_signal " + signal + " to " + pid, n.lastErrno());
        }
        return rc == 0;
    }

    /**
     * A close-on-exec copy of the process's descriptor {@code targetFd} (pidfd_getfd; the kernel
     * checks that we may ptrace it, which a parent running as root may).
     */
    @Override
    public synchronized int getFd(int targetFd) {
        if (status != null || fd < 0) {
            throw new IllegalStateException("process " + pid + " has been reaped");
        }
        long copy = n.libc().syscall(SyscallNumbers.PIDFD_GETFD, fd, targetFd, 0, 0);
        if (copy < 0) {
            throw new NativeException("pidfd_getfd " + targetFd + " of " + pid, n.lastErrno());
        }
        return (int) copy;
    }

    /**
     * The inode of the process's pidfd on pidfs (Linux 6.9): on 64-bit kernels a number no other
     * process gets until the next boot, unlike its pid and its start time (a process that takes the
     * pid within the same 10 ms tick has that too). 0 on older kernels, whose pidfds all share one
     * anonymous inode.
     */
    public synchronized long pidfsInode() {
        if (fd < 0 || !onPidfs(fd)) {
            return 0;
        }
        try {
            return FileAttributes.stat(fd).ino();
        } catch (FileCallException e) {
            throw new NativeException("statx of the pidfd of " + pid, e.errno());
        }
    }

    private static boolean onPidfs(int fd) {
        Boolean known = onPidfs;
        if (known == null) {
            Native n = Native.get();
            byte[] statfs = new byte[STATFS_BYTES];
            if (n.libc().fstatfs(fd, statfs) < 0) {
                throw new NativeException("fstatfs of a pidfd", n.lastErrno());
            }
            known = ByteBuffer.wrap(statfs).order(ByteOrder.nativeOrder()).getLong(0) == PIDFS_MAGIC;
            onPidfs = known;
        }
        return known;
    }

    /**
     * Whether the process has exited (a zombie too): its pidfd polls readable from then on. Needs
     * no permission to signal it, unlike {@code pidfd_send_signal(0)}.
     */
    public boolean hasEnded() {
        try (NativeMemory mem = new NativeMemory(8)) {
            NativeMemory.putInt(mem.address(), fd);
            NativeMemory.putInt(mem.address() + 4, POLLIN);
            int ready = n.retrying("poll on the pidfd of " + pid, () -> n.libc().poll(mem.address(), 1, 0));
            return ready > 0;
        }
    }

    /** Waits for the process to exit and reaps it; null when {@code timeout} passes first. */
    @Override
    public ExitStatus awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (NativeMemory mem = new NativeMemory(SIGINFO_BYTES)) {
            while (true) {
                synchronized (this) {
                    if (status != null) {
                        return status;
                    }
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                // poll in short slices so that an interrupt is noticed
                long left = (deadline - System.nanoTime()) / 1_000_000;
                int slice = (int) Math.max(0, Math.min(left, 200));
                NativeMemory.putInt(mem.address(), fd);
                NativeMemory.putInt(mem.address() + 4, POLLIN);
                int ready = n.libc().poll(mem.address(), 1, slice);
                if (ready > 0) {
                    return reap(mem.address());
                }
                if (ready < 0 && n.lastErrno() != Errno.EINTR) {
                    throw new NativeException("poll on the pidfd of " + pid, n.lastErrno());
                }
                if (left <= 0) {
                    return null;
                }
            }
        }
    }

    /**
     * Waits for the process to end without reaping it: for a process that is not our child
     * (waitid would give ECHILD), whose parent reaps it. False when {@code timeout} passes first.
     */
    @Override
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (NativeMemory mem = new NativeMemory(8)) {
            while (true) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                NativeMemory.putInt(mem.address(), fd);
                NativeMemory.putInt(mem.address() + 4, POLLIN);
                int ready = n.libc().poll(mem.address(), 1, (int) Math.max(0, Math.min(left, 200)));
                if (ready > 0) {
                    return true;
                }
                if (ready < 0 && n.lastErrno() != Errno.EINTR) {
                    throw new NativeException("poll on the pidfd of " + pid, n.lastErrno());
                }
                if (left <= 0) {
                    return false;
                }
            }
        }
    }

    private synchronized ExitStatus reap(long siginfo) {
        if (status == null) {
            NativeMemory.zero(siginfo, SIGINFO_BYTES);
            n.retrying("waitid for " + pid, () -> n.libc().waitid(P_PIDFD, fd, siginfo, WEXITED));
            int code = NativeMemory.getInt(siginfo + SI_CODE);
            int value = NativeMemory.getInt(siginfo + SI_STATUS);
            status = code == CLD_EXITED ? ExitStatus.exited(value) : ExitStatus.killed(value);
        }
        return status;
    }

    /** The status once reaped, else null. */
    @Override
    public synchronized ExitStatus status() {
        return status;
    }

    @Override
    public synchronized void close() {
        Fds.closeQuietly(fd);
        fd = -1;
    }
}
