package io.isola.internal.nativ;

import java.io.IOException;
import java.time.Duration;

/**
 * The kernel calls the host side of a start makes: before the clone, who the runtime is, what it
 * may do, which signals it handles, and the descriptors it hands the child; after it, the launch
 * protocol's reads, writes and the child it holds ({@code io.isola.internal.launch.Launch}). One interface so that
 * the launch pipeline can be run against a recording fake ({@code io.isola.testing.RecordingSyscalls})
 * and its composed program compared as text without a kernel, as youki's {@code Syscall} trait
 * and its {@code TestHelperSyscall} do; {@link #linux()} is the real one.
 *
 * <p>Each method is one question or one call, named after the call it makes; the errors are those
 * of {@link Fds} and {@link NativeException}, naming the call and its argument.
 */
public interface Syscalls {

    /** The binding through libc: {@link LinuxSyscalls}. */
    static Syscalls linux() {
        return LinuxSyscalls.INSTANCE;
    }

    int geteuid();

    int getegid();

    /** Whether capability {@code number} is in this process's effective set (capget). */
    boolean hasEffectiveCapability(int number);

    /** The hard limit of resource {@code resource} (RLIMIT_*) of this process, -1 for unlimited. */
    long hardLimit(int resource);

    /** The kernel's highest capability number ({@code /proc/sys/kernel/cap_last_cap}). */
    int lastCap();

    /** The running kernel's release ({@code uname -r}). */
    String kernelRelease();

    /** Whether {@code signal}'s disposition in this process is other than SIG_DFL (rt_sigaction). */
    boolean handlesSignal(int signal);

    /** A pipe whose both ends close on exec: {@code [read end, write end]}. */
    int[] pipe();

    /** Opens {@code path} close-on-exec. */
    int open(String path, int flags, int mode);

    /** The host's procfs, close-on-exec, a handle no mount redirects a path below ({@link HostProc#open}: a copy of one per JVM). */
    int openHostProc();

    /** A close-on-exec duplicate of {@code fd}, numbered 3 or above. */
    default int dupCloexec(int fd) {
        return dupCloexec(fd, 3);
    }

    /** A close-on-exec duplicate of {@code fd}, numbered {@code floor} or above (fcntl F_DUPFD_CLOEXEC). */
    int dupCloexec(int fd, int floor);

    /** Closes {@code fd} if it is one (not -1), ignoring a failure. */
    void closeQuietly(int fd);

    /** Makes the FIFO {@code path} with {@code mode}. */
    void mkfifo(String path, int mode);

    /** The target of the link {@code path}; a missing one is a {@link java.nio.file.NoSuchFileException}. */
    String readlink(String path) throws IOException;

    /**
     * The target of the link {@code relative} below the directory {@code dir} (readlinkat): the path
     * is resolved from that descriptor, never through the plain /proc.
     */
    default String readlinkAt(int dir, String relative) throws IOException {
        return readlink("/proc/self/fd/" + dir + "/" + relative);
    }

    /** Opens {@code relative} below the directory {@code dir} close-on-exec (openat). */
    default int openAt(int dir, String relative, int flags) {
        return open("/proc/self/fd/" + dir + "/" + relative, flags, 0);
    }

    /** A close-on-exec AF_UNIX stream socket. */
    int unixSocket();

    /**
     * Connects {@code socket} to the AF_UNIX {@code path}, waiting at most {@code timeout} for a
     * listener whose backlog is full, which also bounds the socket's sends; a {@link
     * NativeException} carries connect's errno (EAGAIN: the timeout passed).
     */
    void connect(int socket, String path, Duration timeout);

    /** Sends {@code payload} with {@code fd} as one SCM_RIGHTS message; {@code what} names the sending in an error. */
    void sendFd(int socket, int fd, byte[] payload, String what);

    /** A close-on-exec copy of descriptor {@code targetFd} of {@code process} (pidfd_getfd). */
    int pidfdGetFd(HeldProcess process, int targetFd);

    /**
     * Writes all of {@code bytes} to {@code fd}, again after EINTR; a failure is a
     * {@link NativeException} naming {@code what} with write's errno (EPIPE: no reader is left).
     */
    void write(int fd, byte[] bytes, String what);

    /**
     * Whether {@code fd} became readable within {@code timeoutMillis} (poll); false as well when a
     * signal cut the wait short, so the caller checks its own deadline.
     */
    boolean awaitReadable(int fd, int timeoutMillis);

    /** At most {@code max} bytes of {@code fd}, again after EINTR; none at end of file. */
    byte[] read(int fd, int max, String what);

    /** Holds our own unreaped child {@code pid}, whose pid therefore cannot have been reused (pidfd_open). */
    HeldProcess openChild(long pid);

    /**
     * Holds any process {@code pid} by a pidfd, checked after opening to be the one that started at
     * {@code startTime} (0: whichever has the pid) and whose pidfd has the pidfs inode
     * {@code pidfsInode} (0: unchecked), so that a reused pid is not taken for it; null when there is
     * no such process.
     */
    HeldProcess openProcess(long pid, long startTime, long pidfsInode);

    /** {@link #openProcess(long, long, long)} by pid and start time alone. */
    default HeldProcess openProcess(long pid, long startTime) {
        return openProcess(pid, startTime, 0);
    }

    /** Sets the window size of the terminal behind {@code fd} (TIOCSWINSZ). */
    void resizeTerminal(int fd, int columns, int rows);
}
