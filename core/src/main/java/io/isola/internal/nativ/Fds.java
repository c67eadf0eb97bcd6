package io.isola.internal.nativ;

/** File descriptor plumbing on the host: pipes, opening, closing. */
public final class Fds {

    public static final int O_RDONLY = 0,
            O_WRONLY = 1,
            O_RDWR = 2,
            O_CREAT = 0100,
            O_TRUNC = 01000,
            O_APPEND = 02000,
            O_NONBLOCK = 04000,
            O_CLOEXEC = 02000000,
            O_PATH = 010000000;

    /** open(2) flags whose numbers differ between x86_64 and aarch64 (FdsTest checks them against jnr-constants). */
    public static final int O_DIRECTORY = SyscallNumbers.X86_64 ? 0200000 : 040000,
            O_NOFOLLOW = SyscallNumbers.X86_64 ? 0400000 : 0100000;

    /** The *at calls' directory fd for "relative to the working directory". */
    public static final int AT_FDCWD = -100;

    private static final int F_DUPFD_CLOEXEC = 1030;

    private Fds() {}

    /** A pipe whose both ends close on exec: {@code [read end, write end]}. */
    public static int[] pipe() {
        Native n = Native.get();
        try (NativeMemory fds = new NativeMemory(8)) {
            n.check("pipe2", n.libc().pipe2(fds.address(), O_CLOEXEC));
            return new int[] {NativeMemory.getInt(fds.address()), NativeMemory.getInt(fds.address() + 4)};
        }
    }

    /** Opens {@code path} close-on-exec; the message names the path. */
    public static int open(String path, int flags, int mode) {
        Native n = Native.get();
        int fd = n.libc().open(path, flags | O_CLOEXEC, mode);
        if (fd < 0) {
            throw new NativeException("open " + path, n.lastErrno());
        }
        return fd;
    }

    /** A close-on-exec duplicate of {@code fd} (fcntl F_DUPFD_CLOEXEC), numbered 3 or above. */
    public static int dupCloexec(int fd) {
        return dupCloexec(fd, 3);
    }

    /** A close-on-exec duplicate of {@code fd} (fcntl F_DUPFD_CLOEXEC), numbered {@code floor} or above. */
    public static int dupCloexec(int fd, int floor) {
        Native n = Native.get();
        return n.check(
                "fcntl F_DUPFD_CLOEXEC " + fd + " from " + floor, n.libc().fcntl(fd, F_DUPFD_CLOEXEC, floor));
    }

    /** Closes {@code fd} if it is one (not -1); a failed close of a pipe end is not actionable. */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            Native.get().libc().close(fd);
        }
    }
}
