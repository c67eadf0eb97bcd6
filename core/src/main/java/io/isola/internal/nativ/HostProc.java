package io.isola.internal.nativ;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A descriptor of the host's procfs that no mount can redirect: a detached clone of the {@code
 * /proc} mount alone (open_tree with OPEN_TREE_CLONE, without AT_RECURSIVE), so it carries none of
 * the mounts below /proc and belongs to no peer group. A path looked up through the plain /proc
 * crosses whatever is mounted on it, and a container given a shared bind of /proc (a volume with
 * rshared propagation on a host whose /proc is shared) could mount over /proc/PID/attr while the
 * runtime writes there, sending the write to a file of its choosing (runc's CVE-2025-52881).
 *
 * <p>Cloning a mount takes CAP_SYS_ADMIN over the runtime's mount namespace: a rootless runtime
 * gets EPERM and the plain /proc, which its containers cannot mount on (a mount namespace of a
 * less privileged user namespace receives the host's mounts but sends none back).
 */
public final class HostProc {

    private static final Logger LOG = LoggerFactory.getLogger(HostProc.class);
    private static final long AT_FDCWD = -100, OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 02000000;
    private static final int EPERM = 1;
    /** statfs(2)'s f_type of procfs (linux/magic.h); struct statfs is 120 bytes on 64-bit Linux, f_type first. */
    static final long PROC_SUPER_MAGIC = 0x9fa0;

    private static final int STATFS_BYTES = 128;

    private HostProc() {}

    /**
     * An O_PATH, close-on-exec descriptor of the host's procfs, cloned where this process may;
     * refused when what is mounted on /proc is no procfs (a runtime started in a mount namespace
     * where something else covers /proc would otherwise write its maps and settings there).
     */
    public static int open() {
        int fd = openUnchecked();
        try {
            requireProcfs(fd, "/proc");
        } catch (RuntimeException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
        return fd;
    }

    /** Throws, naming {@code what} and the file system type found, unless {@code fd} is on a procfs. */
    static void requireProcfs(int fd, String what) {
        Native n = Native.get();
        byte[] statfs = new byte[STATFS_BYTES];
        if (n.libc().fstatfs(fd, statfs) < 0) {
            throw new NativeException("fstatfs " + what, n.lastErrno());
        }
        long type = ByteBuffer.wrap(statfs).order(ByteOrder.nativeOrder()).getLong(0);
        if (type != PROC_SUPER_MAGIC) {
            throw new IllegalStateException(what + " is not a procfs (file system type 0x" + Long.toHexString(type)
                    + ", expected 0x" + Long.toHexString(PROC_SUPER_MAGIC) + "): the runtime writes id maps and"
                    + " process settings there and refuses any other file system");
        }
    }

    private static int openUnchecked() {
        Native n = Native.get();
        try (NativeMemory path = new NativeMemory(6)) {
            NativeMemory.putString(path.address(), "/proc");
            long fd = n.libc()
                    .syscall(
                            SyscallNumbers.OPEN_TREE, AT_FDCWD, path.address(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC, 0);
            if (fd >= 0) {
                return (int) fd;
            }
            int errno = n.lastErrno();
            if (errno != EPERM) {
                throw new NativeException("open_tree /proc (OPEN_TREE_CLONE)", errno);
            }
            LOG.debug("open_tree /proc: EPERM (no CAP_SYS_ADMIN over this mount namespace): the plain /proc");
        }
        return Fds.open("/proc", Fds.O_PATH | Fds.O_DIRECTORY, 0);
    }

    /**
     * Writes {@code content} in one write(2) (a map or a sysctl takes exactly one) to {@code
     * relative}, a file below the host's procfs ({@code PID/oom_score_adj}, {@code sys/net/...}),
     * looked up through {@link #open()}'s handle and without following a link at its end.
     *
     * @throws IOException naming the file and the errno, when it cannot be opened or written whole
     */
    public static void write(String relative, byte[] content) throws IOException {
        Native n = Native.get();
        int fd = openBelow(relative, Fds.O_WRONLY | Fds.O_NOFOLLOW);
        try {
            long written = n.libc().write(fd, content, content.length);
            if (written != content.length) {
                throw new IOException(
                        "/proc/" + relative + ": " + (written < 0 ? errno(n.lastErrno()) : "written short"));
            }
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    /**
     * The content of {@code relative}, a file below the host's procfs ({@code PID/uid_map}), read
     * through {@link #open()}'s handle without following a link at its end; at most {@code limit}
     * bytes.
     *
     * @throws IOException naming the file and the errno, when it cannot be opened or read
     */
    public static byte[] read(String relative, int limit) throws IOException {
        Native n = Native.get();
        int fd = openBelow(relative, Fds.O_RDONLY | Fds.O_NOFOLLOW);
        try {
            byte[] buffer = new byte[limit];
            int done = 0;
            while (done < limit) {
                byte[] chunk = new byte[limit - done];
                long got = n.libc().read(fd, chunk, chunk.length);
                if (got < 0 && n.lastErrno() == Errno.EINTR) {
                    continue;
                }
                if (got < 0) {
                    throw new IOException("/proc/" + relative + ": " + errno(n.lastErrno()));
                }
                if (got == 0) {
                    break;
                }
                System.arraycopy(chunk, 0, buffer, done, (int) got);
                done += (int) got;
            }
            return Arrays.copyOf(buffer, done);
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    /**
     * The namespace {@code procName} of process {@code pid} ({@code PID/ns/net}), opened read-only
     * and close-on-exec below {@code proc}, a handle from {@link #open()}: nothing mounted on the
     * plain {@code /proc/PID/ns} can take the open. The file is the kernel's magic link to the
     * namespace, so its end is followed; the caller checks afterwards that {@code pid} is still its
     * process.
     *
     * @throws IOException naming the file and the errno (ENOENT: no such process, or a zombie)
     */
    public static int openNamespace(int proc, long pid, String procName) throws IOException {
        return openAt(proc, pid + "/ns/" + procName, Fds.O_RDONLY);
    }

    /**
     * The target of the link {@code relative} ({@code PID/ns/pid}) below {@code proc}, a handle from
     * {@link #open()}: nothing mounted on the plain {@code /proc/PID} can answer; readlinkat never
     * follows the link it reads.
     *
     * @throws IOException naming the file and the errno (a NoSuchFileException for ENOENT)
     */
    public static String readLinkAt(int proc, String relative) throws IOException {
        Native n = Native.get();
        byte[] target = new byte[4097];
        long length = n.libc().readlinkat(proc, DirectoryFd.cString(relative), target, target.length);
        if (length < 0) {
            int errno = n.lastErrno();
            if (errno == Errno.ENOENT) {
                throw new java.nio.file.NoSuchFileException("/proc/" + relative);
            }
            throw new IOException("/proc/" + relative + ": " + errno(errno));
        }
        return new String(target, 0, (int) length, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * {@code relative} opened with {@code flags} (O_NOFOLLOW for a file that must not be a link)
     * through {@link #open()}'s handle (closed again here), close-on-exec.
     */
    private static int openBelow(String relative, int flags) throws IOException {
        int proc = open();
        try {
            return openAt(proc, relative, flags);
        } finally {
            Fds.closeQuietly(proc);
        }
    }

    /** {@code relative} opened with {@code flags} below {@code proc}, close-on-exec. */
    private static int openAt(int proc, String relative, int flags) throws IOException {
        Native n = Native.get();
        int fd = n.libc().openat(proc, DirectoryFd.cString(relative), flags | Fds.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new FileNotFoundException("/proc/" + relative + ": " + errno(n.lastErrno()));
        }
        return fd;
    }

    private static String errno(int errno) {
        return Errno.name(errno) + " (" + Errno.describe(errno) + ")";
    }
}
