package io.isola.internal.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open directory of a tree that an image or a container controls (a layer being extracted, a
 * writable layer read for export or commit, a layer being removed). Every call is relative to the
 * descriptor and follows no symbolic link: a name is one component, a relative path is resolved
 * beneath this directory with openat2's {@code RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS} where the
 * kernel has it (5.6) and else one {@code O_NOFOLLOW} component at a time, and a file's
 * attributes are changed through its own descriptor. So a link swapped in by a running
 * container, or planted by an earlier entry of a layer, never leads isola to a host file (the
 * pattern of runc's CVE-2021-30465 and of archive extractors' "zip slip"), as umoci and
 * containerd's securejoin/openat2 code guard against.
 */
public final class DirectoryFd implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryFd.class);
    static final int O_EXCL = 0200, AT_REMOVEDIR = 0x200;
    private static final int DIRECTORY = Fds.O_RDONLY | Fds.O_DIRECTORY | Fds.O_NOFOLLOW | Fds.O_CLOEXEC;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02,
            RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08,
            RESOLVE_IN_ROOT = 0x10;
    /** Cleared when the kernel has no openat2 (ENOSYS): the component walk does the same job (and tests clear it). */
    static volatile boolean openat2 = true;

    private final Native n = Native.get();
    private final String path; // for messages only: never opened again by name
    private int fd;

    private DirectoryFd(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /**
     * Opens {@code dir}, a directory of isola's own (a store, a scratch directory), refusing a link
     * as its last component; its parents are trusted as isola's own, the tree below it is not.
     */
    public static DirectoryFd open(Path dir) throws FileCallException {
        Native n = Native.get();
        int fd = n.libc().openat(Fds.AT_FDCWD, cString(dir.toString()), DIRECTORY, 0);
        if (fd < 0) {
            throw new FileCallException("open", dir.toString(), n.lastErrno());
        }
        return new DirectoryFd(fd, dir.toString());
    }

    /**
     * Opens {@code root}, following it if it is a link ({@code /proc/PID/root} of a running
     * container is one): the root of a tree that is then read beneath it, never above it.
     */
    public static DirectoryFd openRoot(Path root) throws FileCallException {
        Native n = Native.get();
        int fd = n.libc()
                .openat(Fds.AT_FDCWD, cString(root.toString()), Fds.O_RDONLY | Fds.O_DIRECTORY | Fds.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new FileCallException("open", root.toString(), n.lastErrno());
        }
        return new DirectoryFd(fd, root.toString());
    }

    /** Takes {@code fd}, an open directory (a detached mount's root), as one; closed with it. */
    public static DirectoryFd adopt(int fd, String description) {
        return new DirectoryFd(fd, description);
    }

    public int fd() {
        return fd;
    }

    /** Where this directory was when it was opened, for messages. */
    public String path() {
        return path;
    }

    /** The directory at {@code relative} below this one; ELOOP when a component is a link, EXDEV when it leaves. */
    public DirectoryFd directory(String relative) throws FileCallException {
        List<String> components = components(relative);
        if (components.isEmpty()) {
            return new DirectoryFd(Fds.dupCloexec(fd), path);
        }
        if (openat2) {
            int opened = openat2(String.join("/", components));
            if (opened >= 0) {
                return new DirectoryFd(opened, child(relative));
            }
        }
        return walk(components, false);
    }

    /**
     * The directory at {@code path} as a process whose root is this directory would reach it: a
     * link is followed, but an absolute one and every ".." stay inside this root
     * ({@code RESOLVE_IN_ROOT}, as Docker's and runc's copies of CVE-2018-15664 and CVE-2019-14271
     * taught), and a /proc magic link is refused. Needs openat2 (Linux 5.6): a component walk that
     * follows links would have to redo the kernel's resolution, which is where those escapes lived.
     */
    public DirectoryFd inRoot(String path) throws FileCallException {
        String relative = path.replaceFirst("^/+", "");
        if (relative.isEmpty()) {
            return new DirectoryFd(Fds.dupCloexec(fd), path);
        }
        try (NativeMemory how = new NativeMemory(24);
                NativeMemory name = new NativeMemory(relative.length() * 4L + 1)) {
            NativeMemory.putLong(how.address(), DIRECTORY & ~Fds.O_NOFOLLOW);
            NativeMemory.putLong(how.address() + 8, 0);
            NativeMemory.putLong(how.address() + 16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            NativeMemory.putString(name.address(), relative);
            for (int attempt = 0; ; attempt++) {
                long opened = n.libc().syscall(SyscallNumbers.OPENAT2, fd, name.address(), how.address(), 24);
                if (opened >= 0) {
                    return new DirectoryFd((int) opened, child(relative));
                }
                int errno = n.lastErrno();
                if ((errno == Errno.EAGAIN || errno == Errno.EINTR) && attempt < 16) {
                    continue; // a concurrent rename somewhere in the mount: the kernel asks for a retry
                }
                if (errno == Errno.ENOSYS) {
                    throw new FileCallException(
                            "openat2 (Linux 5.6, to resolve a path inside a container's root; this is "
                                    + System.getProperty("os.version") + ")",
                            child(relative),
                            errno);
                }
                throw new FileCallException("openat2", child(relative), errno);
            }
        }
    }

    /** As {@link #directory}, making missing directories (mode 0755, refined by the caller) on the way. */
    public DirectoryFd directories(String relative) throws FileCallException {
        return walk(components(relative), true);
    }

    private DirectoryFd walk(List<String> components, boolean create) throws FileCallException {
        DirectoryFd current = new DirectoryFd(Fds.dupCloexec(fd), path);
        try {
            for (String component : components) {
                int next = n.libc().openat(current.fd, cString(component), DIRECTORY, 0);
                if (next < 0 && create && n.lastErrno() == Errno.ENOENT) {
                    if (n.libc().mkdirat(current.fd, cString(component), 0755) < 0 && n.lastErrno() != Errno.EEXIST) {
                        throw new FileCallException("mkdirat", current.child(component), n.lastErrno());
                    }
                    next = n.libc().openat(current.fd, cString(component), DIRECTORY, 0);
                }
                if (next < 0) {
                    throw new FileCallException("openat", current.child(component), n.lastErrno());
                }
                DirectoryFd opened = new DirectoryFd(next, current.child(component));
                current.close();
                current = opened;
            }
            return current;
        } catch (FileCallException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /** A descriptor, or -1 to fall back to the walk (no openat2); throws what the kernel refused. */
    private int openat2(String relative) throws FileCallException {
        try (NativeMemory how = new NativeMemory(24);
                NativeMemory name = new NativeMemory(relative.length() * 4L + 1)) {
            NativeMemory.putLong(how.address(), DIRECTORY);
            NativeMemory.putLong(how.address() + 8, 0);
            NativeMemory.putLong(how.address() + 16, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
            NativeMemory.putString(name.address(), relative);
            long opened = n.libc().syscall(SyscallNumbers.OPENAT2, fd, name.address(), how.address(), 24);
            if (opened >= 0) {
                return (int) opened;
            }
            int errno = n.lastErrno();
            if (errno == Errno.ENOSYS) {
                LOG.debug("no openat2 in this kernel: resolving one component at a time");
                openat2 = false;
                return -1;
            }
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                return -1; // a concurrent rename; the walk checks every component as well
            }
            throw new FileCallException("openat2", child(relative), errno);
        }
    }

    /**
     * What {@code path} names in the tree of which this directory is the root, its links followed
     * as the container's own process would follow them: openat2's {@code RESOLVE_IN_ROOT} keeps
     * ".." and absolute links inside, and /proc's magic links are not followed. Empty when nothing
     * is there (ENOENT, ENOTDIR); null when this kernel has no openat2 (before 5.6), which is
     * the one safe way to resolve such a path from the host.
     */
    public Optional<FileStat> statInRoot(String path) throws FileCallException {
        int opened = pathInRoot(path);
        if (opened == NO_OPENAT2) {
            return null;
        }
        if (opened == MISSING) {
            return Optional.empty();
        }
        try {
            return Optional.of(FileAttributes.stat(opened));
        } finally {
            n.libc().close(opened);
        }
    }

    /** What {@link #pathInRoot} returns when nothing is there, and when the kernel has no openat2. */
    static final int MISSING = -1, NO_OPENAT2 = -2;

    /**
     * An O_PATH descriptor (close-on-exec) of what {@code path} names in the tree of which this
     * directory is the root, resolved as {@link #statInRoot} resolves it; {@link #MISSING} (ENOENT,
     * ENOTDIR) or {@link #NO_OPENAT2}. O_PATH opens nothing: no device is opened, no fifo waited on.
     */
    int pathInRoot(String path) throws FileCallException {
        if (!openat2) {
            return NO_OPENAT2;
        }
        try (NativeMemory how = new NativeMemory(24);
                NativeMemory name = new NativeMemory(path.length() * 4L + 1)) {
            NativeMemory.putLong(how.address(), Fds.O_PATH | Fds.O_CLOEXEC);
            NativeMemory.putLong(how.address() + 8, 0);
            NativeMemory.putLong(how.address() + 16, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
            NativeMemory.putString(name.address(), path);
            for (int attempt = 0; ; attempt++) {
                long opened = n.libc().syscall(SyscallNumbers.OPENAT2, fd, name.address(), how.address(), 24);
                if (opened >= 0) {
                    return (int) opened;
                }
                int errno = n.lastErrno();
                if ((errno == Errno.EAGAIN || errno == Errno.EINTR) && attempt < 16) {
                    continue; // a concurrent rename somewhere in the mount: the kernel asks for a retry
                }
                if (errno == Errno.ENOSYS) {
                    openat2 = false;
                    return NO_OPENAT2;
                }
                if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
                    return MISSING;
                }
                throw new FileCallException("openat2", child(path), errno);
            }
        }
    }

    /** The entry {@code name} (one component), not following a link; empty when there is none. */
    public Optional<FileStat> stat(String name) throws FileCallException {
        try {
            return Optional.of(
                    FileAttributes.stat(fd, cString(component(name)), FileAttributes.AT_SYMLINK_NOFOLLOW, child(name)));
        } catch (FileCallException e) {
            if (e.errno() == Errno.ENOENT) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** This directory itself. */
    public FileStat stat() throws FileCallException {
        return FileAttributes.stat(fd);
    }

    /** What is free on this directory's file system (statfs). */
    public FileSystemSpace space() throws FileCallException {
        byte[] statfs = new byte[128]; // struct statfs: 120 bytes on 64-bit Linux
        if (n.libc().fstatfs(fd, statfs) < 0) {
            throw new FileCallException("fstatfs", path, n.lastErrno());
        }
        return FileSystemSpace.of(ByteBuffer.wrap(statfs).order(ByteOrder.nativeOrder()));
    }

    /** The names in this directory, without "." and "..", in no particular order. */
    public List<String> list() throws FileCallException {
        List<String> names = new ArrayList<>();
        try (NativeMemory buffer = new NativeMemory(32768)) {
            rewind();
            while (true) {
                long read = n.libc().syscall(SyscallNumbers.GETDENTS64, fd, buffer.address(), buffer.size(), 0);
                if (read < 0) {
                    throw new FileCallException("getdents64", path, n.lastErrno());
                }
                if (read == 0) {
                    return names;
                }
                // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[]
                for (long at = 0; at < read; ) {
                    long entry = buffer.address() + at;
                    int length = NativeMemory.getShort(entry + 16) & 0xffff;
                    String name = cStringAt(entry + 19, length - 19);
                    if (!name.equals(".") && !name.equals("..")) {
                        names.add(name);
                    }
                    at += length;
                }
            }
        }
    }

    private void rewind() throws FileCallException {
        if (n.libc().lseek(fd, 0, 0) < 0) {
            throw new FileCallException("lseek", path, n.lastErrno());
        }
    }

    /** A new regular file (O_EXCL: never an existing one, never through a link), open for writing; the caller closes it. */
    public int createFile(String name, int mode) throws FileCallException {
        int created = n.libc()
                .openat(
                        fd,
                        cString(component(name)),
                        Fds.O_WRONLY | Fds.O_CREAT | O_EXCL | Fds.O_NOFOLLOW | Fds.O_CLOEXEC,
                        mode);
        if (created < 0) {
            throw new FileCallException("create", child(name), n.lastErrno());
        }
        return created;
    }

    /**
     * Opens {@code name} for reading only if it is a regular file now: it is first opened as a
     * path (O_PATH, which opens no device and waits for no fifo), checked, then reopened through
     * /proc/self/fd, which reaches that same inode whatever its name has become meanwhile.
     */
    public InputStream readFile(String name, FileStat expected) throws IOException {
        int handle = openPath(name);
        try {
            FileStat now = FileAttributes.stat(handle);
            if (!now.isRegularFile() && expected == null) {
                throw new IOException(child(name) + " is not a regular file");
            }
            if (!now.isRegularFile() || (expected != null && !now.sameFile(expected))) {
                throw new IOException(
                        child(name) + " changed while it was read (it is no longer the same regular file)");
            }
            int opened =
                    n.libc().openat(Fds.AT_FDCWD, cString("/proc/self/fd/" + handle), Fds.O_RDONLY | Fds.O_CLOEXEC, 0);
            if (opened < 0) {
                throw new FileCallException("reopen", child(name), n.lastErrno());
            }
            return new FdInputStream(opened);
        } finally {
            Fds.closeQuietly(handle);
        }
    }

    /** The user xattr {@code attribute} of the entry {@code name} (a file or directory, never a link's target), or null. */
    public String xattr(String name, String attribute) throws FileCallException {
        int handle = openPath(name);
        try {
            byte[] value = new byte[256];
            long length =
                    n.libc().getxattr(cString("/proc/self/fd/" + handle), cString(attribute), value, value.length);
            return FileAttributes.xattrValue(length, value, "getxattr " + attribute, child(name));
        } finally {
            Fds.closeQuietly(handle);
        }
    }

    private int openPath(String name) throws FileCallException {
        int handle = n.libc().openat(fd, cString(component(name)), Fds.O_PATH | Fds.O_NOFOLLOW | Fds.O_CLOEXEC, 0);
        if (handle < 0) {
            throw new FileCallException("open", child(name), n.lastErrno());
        }
        return handle;
    }

    public void makeDirectory(String name, int mode) throws FileCallException {
        if (n.libc().mkdirat(fd, cString(component(name)), mode) < 0) {
            throw new FileCallException("mkdirat", child(name), n.lastErrno());
        }
    }

    /**
     * An overlayfs whiteout: a character device 0/0, which overlayfs reads as one on every kernel.
     * Root may make it, and since Linux 5.8 any user may (no other device node is allowed them).
     */
    public void whiteout(String name) throws FileCallException {
        if (n.libc().mknodat(fd, cString(component(name)), FileStat.S_IFCHR, 0) < 0) {
            throw new FileCallException("mknodat (a whiteout, character device 0/0)", child(name), n.lastErrno());
        }
    }

    /** Renames {@code from} to {@code to} in this directory, replacing what {@code to} names (not a directory). */
    public void rename(String from, String to) throws FileCallException {
        if (n.libc().renameat(fd, cString(component(from)), fd, cString(component(to))) < 0) {
            throw new FileCallException("renameat", child(from) + " to " + to, n.lastErrno());
        }
    }

    public void symlink(String target, String name) throws FileCallException {
        if (n.libc().symlinkat(cString(target), fd, cString(component(name))) < 0) {
            throw new FileCallException("symlinkat", child(name), n.lastErrno());
        }
    }

    /** A hard link {@code name} here to {@code from} in {@code fromDir}; linkat without AT_SYMLINK_FOLLOW links a link itself, never its target. */
    public void hardLink(DirectoryFd fromDir, String from, String name) throws FileCallException {
        if (n.libc().linkat(fromDir.fd, cString(component(from)), fd, cString(component(name)), 0) < 0) {
            throw new FileCallException("linkat", child(name), n.lastErrno());
        }
    }

    public String readLink(String name) throws FileCallException {
        byte[] target = new byte[4097];
        long length = n.libc().readlinkat(fd, cString(component(name)), target, target.length);
        if (length < 0) {
            throw new FileCallException("readlinkat", child(name), n.lastErrno());
        }
        return new String(target, 0, (int) length, StandardCharsets.UTF_8);
    }

    /** Owner of the entry itself (a link's own, never its target's). */
    public void chown(String name, int uid, int gid) throws FileCallException {
        if (n.libc().fchownat(fd, cString(component(name)), uid, gid, FileAttributes.AT_SYMLINK_NOFOLLOW) < 0) {
            throw new FileCallException("fchownat", child(name), n.lastErrno());
        }
    }

    /**
     * Owner of the entry itself (a link's own, never its target's), through a descriptor of that
     * entry, keeping the setuid and setgid bits that chown clears; returns what it was before.
     */
    public FileStat chownKeepingMode(String name, int uid, int gid) throws FileCallException {
        int handle = openPath(name);
        try {
            FileStat before = FileAttributes.stat(handle);
            if (n.libc().fchownat(handle, FileAttributes.EMPTY_PATH, uid, gid, FileAttributes.AT_EMPTY_PATH) < 0) {
                throw new FileCallException("fchownat", child(name), n.lastErrno());
            }
            // fchmod refuses an O_PATH descriptor; its /proc/self/fd link reaches that same inode
            if (!before.isSymbolicLink()
                    && (before.mode() & 06000) != 0
                    && n.libc().chmod(cString("/proc/self/fd/" + handle), before.mode() & 07777) < 0) {
                throw new FileCallException("chmod", child(name), n.lastErrno());
            }
            return before;
        } finally {
            Fds.closeQuietly(handle);
        }
    }

    /** Times of the entry itself (a link's own, never its target's). */
    public void setTimes(String name, long seconds, int nanos) throws FileCallException {
        FileAttributes.times(
                fd, cString(component(name)), FileAttributes.AT_SYMLINK_NOFOLLOW, seconds, nanos, child(name));
    }

    /** Removes the entry {@code name}: a file or a link (never its target), or a directory with everything in it. */
    public void remove(String name) throws IOException {
        TreeRemoval.remove(this, component(name));
    }

    void unlink(String name, boolean directory) throws FileCallException {
        if (n.libc().unlinkat(fd, cString(name), directory ? AT_REMOVEDIR : 0) < 0) {
            throw new FileCallException(directory ? "rmdir" : "unlink", child(name), n.lastErrno());
        }
    }

    String child(String name) {
        return path + "/" + name;
    }

    @Override
    public void close() {
        Fds.closeQuietly(fd);
        fd = -1;
    }

    /** The components of a relative path; "." and empty ones dropped, ".." and absolute paths refused. */
    public static List<String> components(String relative) {
        if (relative.startsWith("/")) {
            throw new IllegalArgumentException("path \"" + relative + "\": expected a relative path");
        }
        List<String> components = new ArrayList<>();
        for (String component : relative.split("/")) {
            if (component.equals("..")) {
                throw new IllegalArgumentException("path \"" + relative + "\": \"..\" is not allowed");
            }
            if (!component.isEmpty() && !component.equals(".")) {
                components.add(component);
            }
        }
        return components;
    }

    private static String component(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("file name \"" + name + "\": expected one path component");
        }
        return name;
    }

    static byte[] cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return terminated;
    }

    private static String cStringAt(long address, int max) {
        byte[] bytes = new byte[max];
        Native.get().memory().getByteArray(address, bytes, 0, max);
        int length = 0;
        while (length < max && bytes[length] != 0) {
            length++;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
