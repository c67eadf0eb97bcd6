package io.isola.internal.nativ;

import java.nio.charset.StandardCharsets;

/**
 * Attributes changed and read through an open file descriptor, so that they reach the file that
 * was opened and checked, never one that a path names by the time the call is made.
 */
public final class FileAttributes {

    static final byte[] EMPTY_PATH = {0};
    static final int AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100, STATX_BASIC_STATS = 0x7ff;

    private FileAttributes() {}

    /** statx of the open file itself. */
    public static FileStat stat(int fd) throws FileCallException {
        return stat(fd, EMPTY_PATH, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, "fd " + fd);
    }

    static FileStat stat(int dirfd, byte[] path, int flags, String what) throws FileCallException {
        Native n = Native.get();
        try (NativeMemory buffer = new NativeMemory(FileStat.SIZE)) {
            if (n.libc().statx(dirfd, path, flags, STATX_BASIC_STATS, buffer.address()) < 0) {
                throw new FileCallException("statx", what, n.lastErrno());
            }
            return FileStat.read(buffer.address());
        }
    }

    /** Owner first: chown clears the setuid and setgid bits that {@link #chmod} then sets. */
    public static void chown(int fd, int uid, int gid) throws FileCallException {
        Native n = Native.get();
        if (n.libc().fchown(fd, uid, gid) < 0) {
            throw new FileCallException("fchown", "fd " + fd, n.lastErrno());
        }
    }

    public static void chmod(int fd, int mode) throws FileCallException {
        Native n = Native.get();
        if (n.libc().fchmod(fd, mode) < 0) {
            throw new FileCallException("fchmod", "fd " + fd, n.lastErrno());
        }
    }

    /** Access and modification time both set to {@code seconds}.{@code nanos}. */
    public static void setTimes(int fd, long seconds, int nanos) throws FileCallException {
        times(fd, EMPTY_PATH, AT_EMPTY_PATH, seconds, nanos, "fd " + fd);
    }

    static void times(int dirfd, byte[] path, int flags, long seconds, int nanos, String what)
            throws FileCallException {
        Native n = Native.get();
        try (NativeMemory times = new NativeMemory(32)) {
            for (int i = 0; i < 2; i++) {
                NativeMemory.putLong(times.address() + 16L * i, seconds);
                NativeMemory.putLong(times.address() + 16L * i + 8, nanos);
            }
            // utimensat with an empty path and AT_EMPTY_PATH is futimens: glibc's futimens is this call
            if (n.libc().utimensat(dirfd, path, times.address(), flags) < 0) {
                throw new FileCallException("utimensat", what, n.lastErrno());
            }
        }
    }

    public static void setXattr(int fd, String name, String value) throws FileCallException {
        Native n = Native.get();
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (n.libc().fsetxattr(fd, DirectoryFd.cString(name), bytes, bytes.length, 0) < 0) {
            throw new FileCallException("fsetxattr " + name, "fd " + fd, n.lastErrno());
        }
    }

    /**
     * Whether the file system of {@code path} has user xattrs: a getxattr of one that no file
     * holds answers ENODATA where it has and EOPNOTSUPP where not (tmpfs before Linux 6.6); no write.
     */
    public static boolean hasUserXattrs(java.nio.file.Path path) throws FileCallException {
        Native n = Native.get();
        byte[] value = new byte[1];
        if (n.libc().lgetxattr(DirectoryFd.cString(path.toString()), DirectoryFd.cString("user.isola.probe"), value, 0)
                >= 0) {
            return true;
        }
        int errno = n.lastErrno();
        if (errno == Errno.ENODATA) {
            return true;
        }
        if (errno == Errno.ENOTSUP) {
            return false;
        }
        throw new FileCallException("lgetxattr user.isola.probe", path.toString(), errno);
    }

    /** Removes the xattr; absent is no error. */
    public static void removeXattr(int fd, String name) throws FileCallException {
        Native n = Native.get();
        if (n.libc().fremovexattr(fd, DirectoryFd.cString(name)) < 0 && n.lastErrno() != Errno.ENODATA) {
            throw new FileCallException("fremovexattr " + name, "fd " + fd, n.lastErrno());
        }
    }

    /**
     * The xattr's value of {@code path} itself (a link's own, never its target's), or null; any
     * namespace ({@code trusted.*} reads as absent without CAP_SYS_ADMIN).
     */
    public static String xattr(java.nio.file.Path path, String name) throws FileCallException {
        Native n = Native.get();
        byte[] value = new byte[256];
        long length = n.libc()
                .lgetxattr(DirectoryFd.cString(path.toString()), DirectoryFd.cString(name), value, value.length);
        if (length < 0 && n.lastErrno() == Errno.ENOENT) {
            return null;
        }
        return xattrValue(length, value, "lgetxattr " + name, path.toString());
    }

    /** The xattr's value, or null when the file has none of that name. */
    public static String xattr(int fd, String name) throws FileCallException {
        Native n = Native.get();
        byte[] value = new byte[256];
        long length = n.libc().fgetxattr(fd, DirectoryFd.cString(name), value, value.length);
        return xattrValue(length, value, "fgetxattr " + name, "fd " + fd);
    }

    static String xattrValue(long length, byte[] value, String call, String what) throws FileCallException {
        if (length >= 0) {
            return new String(value, 0, (int) length, StandardCharsets.UTF_8);
        }
        int errno = Native.get().lastErrno();
        if (errno == Errno.ENODATA || errno == Errno.ENOTSUP) {
            return null; // none, or a file system (or file kind) without user xattrs, which holds none
        }
        throw new FileCallException(call, what, errno);
    }
}
