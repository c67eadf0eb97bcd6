package io.isola.internal.nativ;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A descriptor of the host's procfs that no mount can redirect: a procfs instance of this
 * process's PID namespace mounted nowhere (fsopen, fsmount), so it carries none of the mounts on
 * or below /proc. A path looked up through the plain /proc crosses whatever is mounted on it, and a
 * container given a shared bind of /proc (a volume with rshared propagation on a host whose /proc
 * is shared) could mount over /proc/PID/attr while the runtime writes there, sending the write to a
 * file of its choosing (runc's CVE-2025-52881), over /proc/PID/stat to pass a host process for one
 * of its own, or over /proc itself, which a clone of the /proc mount would then copy.
 *
 * <p>One handle is kept for the process's life ({@link #shared()}): every start reads a start time
 * below it, and a procfs instance per read would cost a mount each. Where the mount API refuses
 * (an older kernel, a security module) the /proc mount alone is cloned (open_tree); a rootless
 * runtime gets EPERM for both and the plain /proc, which its containers cannot mount on (a mount
 * namespace of a less privileged user namespace receives the host's mounts but sends none back).
 */
public final class HostProc {

    private static final Logger LOG = LoggerFactory.getLogger(HostProc.class);
    private static final long AT_FDCWD = -100, OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 02000000;
    private static final int EPERM = 1;
    /** statfs(2)'s f_type of procfs (linux/magic.h); struct statfs is 120 bytes on 64-bit Linux, f_type first. */
    static final long PROC_SUPER_MAGIC = 0x9fa0;

    private static final int STATFS_BYTES = 128;
    /** What {@link #read} reads at a time. */
    private static final int CHUNK = 8192;

    /** {@link #shared()}'s descriptor, and what it was when opened. */
    private static int shared = -1;

    private static FileStat sharedFile;

    private HostProc() {}

    /**
     * This process's descriptor of the host's procfs, opened on first use and kept open for the
     * process's life (never close it), close-on-exec; refused when it is no procfs. Checked on each
     * use to be still the file it was opened as: a double close elsewhere would hand its number to
     * another file, a container's directory maybe, and the reads below it would go there.
     */
    public static synchronized int shared() {
        if (shared >= 0) {
            try {
                if (FileAttributes.stat(shared).sameFile(sharedFile)) {
                    return shared;
                }
            } catch (FileCallException e) {
                // closed: opened again below
            }
            LOG.warn("fd {}, the host's procfs handle, was closed by other code: opening another", shared);
            shared = -1;
        }
        int fd = openChecked();
        try {
            sharedFile = FileAttributes.stat(fd);
        } catch (FileCallException e) {
            Fds.closeQuietly(fd);
            throw new NativeException("statx of the host's procfs handle", e.errno());
        }
        shared = fd;
        return fd;
    }

    /**
     * A copy of {@link #shared()}'s descriptor for a caller that closes it (or hands it to a child),
     * close-on-exec: a dup, no new mount.
     */
    public static int open() {
        return Fds.dupCloexec(shared());
    }

    /** A new handle, refused when it is no procfs (something else covering /proc, where it was cloned). */
    private static int openChecked() {
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
        try {
            // a procfs of this process's PID namespace (fsopen takes the caller's), whatever covers /proc
            return DetachedMount.mount("proc", Map.of(), "the host's procfs").fd();
        } catch (FileCallException e) {
            LOG.debug("a procfs mounted nowhere: {}; cloning the /proc mount", e.getMessage());
        }
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
     * looked up through {@link #shared()}'s handle and without following a link at its end.
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
     * through {@link #shared()}'s handle without following a link at its end.
     *
     * @throws IOException naming the file and the errno, when it cannot be opened or read; naming
     *     the file and {@code limit} when it is longer: its beginning would pass for the whole (a
     *     container that mounts enough could push the line that matters out of a mountinfo)
     */
    public static byte[] read(String relative, int limit) throws IOException {
        Native n = Native.get();
        int fd = openBelow(relative, Fds.O_RDONLY | Fds.O_NOFOLLOW);
        try {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            byte[] chunk = new byte[Math.min(CHUNK, limit)];
            while (content.size() < limit) {
                long got = n.libc().read(fd, chunk, Math.min(chunk.length, limit - content.size()));
                if (got < 0 && n.lastErrno() == Errno.EINTR) {
                    continue;
                }
                if (got < 0) {
                    throw new IOException("/proc/" + relative + ": " + errno(n.lastErrno()));
                }
                if (got == 0) {
                    break;
                }
                content.write(chunk, 0, (int) got);
            }
            if (content.size() == limit && moreToRead(n, fd, relative)) {
                throw new IOException("/proc/" + relative + " is longer than " + limit + " bytes, the most read of it");
            }
            return content.toByteArray();
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    /** Whether {@code fd} has a byte left to read. */
    private static boolean moreToRead(Native n, int fd, String relative) throws IOException {
        byte[] one = new byte[1];
        while (true) {
            long got = n.libc().read(fd, one, 1);
            if (got >= 0) {
                return got > 0;
            }
            if (n.lastErrno() != Errno.EINTR) {
                throw new IOException("/proc/" + relative + ": " + errno(n.lastErrno()));
            }
        }
    }

    /**
     * The pids of the processes of this process's PID namespace, listed below {@link #shared()}'s
     * handle: a mount on the plain /proc could hide some, or show others.
     *
     * @throws IOException naming the call and the errno
     */
    public static List<Long> pids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (DirectoryFd root = DirectoryFd.adopt(openBelow(".", Fds.O_RDONLY | Fds.O_DIRECTORY), "/proc")) {
            for (String name : root.list()) {
                if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    pids.add(Long.parseLong(name));
                }
            }
        }
        return pids;
    }

    /**
     * The namespace {@code procName} of process {@code pid} ({@code PID/ns/net}), opened read-only
     * and close-on-exec below {@code proc}, a handle ({@link #shared()}, {@link #open()}): nothing mounted on the
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
     * The root directory of process {@code pid} ({@code PID/root}, the kernel's magic link to it,
     * followed), opened read-only below {@link #shared()}'s handle: a directory or link mounted on
     * the plain /proc/PID could name the host's root instead. The caller checks afterwards that
     * {@code pid} is still its process.
     *
     * @throws IOException naming the file and the errno
     */
    public static int openRoot(long pid) throws IOException {
        return openAt(shared(), pid + "/root", Fds.O_RDONLY | Fds.O_DIRECTORY);
    }

    /**
     * The target of the link {@code relative} ({@code PID/ns/pid}) below {@code proc}, a handle from
     * {@link #shared()} or {@link #open()}: nothing mounted on the plain {@code /proc/PID} can answer; readlinkat never
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
     * below {@link #shared()}'s handle, close-on-exec.
     */
    private static int openBelow(String relative, int flags) throws IOException {
        return openAt(shared(), relative, flags);
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
