package io.isola.internal.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Reads a small regular file of a tree that someone else controls (a running container's root),
 * as a process whose root that tree is would reach it: one openat2 {@code RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS} below the root's descriptor, so the kernel follows the tree's links
 * inside it in the same call that opens the file, and a link or a directory swapped in meanwhile
 * never leads out of it (a lookup done first, then an open, can be raced between the two). The
 * file is opened as a path (nothing is opened: a device, a fifo), checked to be a regular file no
 * larger than the bound, then reopened through its descriptor, non-blocking, and read to the bound
 * only: a file that grows while it is read is refused, not read to its end.
 */
public final class InRootFile {

    private InRootFile() {}

    /**
     * The bytes of {@code path} (absolute or relative, inside {@code root}'s tree), or empty when
     * nothing is there; throws when it is not a regular file or is larger than {@code maxBytes},
     * naming {@code path}, and when the kernel has no openat2 (Linux 5.6).
     */
    public static Optional<byte[]> read(DirectoryFd root, String path, int maxBytes) throws IOException {
        String relative = path.replaceFirst("^/+", "");
        int handle = relative.isEmpty() ? DirectoryFd.MISSING : root.pathInRoot(relative);
        if (handle == DirectoryFd.NO_OPENAT2) {
            throw new IOException(path + ": reading it inside the container's root needs openat2 (Linux 5.6); this is "
                    + System.getProperty("os.version"));
        }
        if (handle == DirectoryFd.MISSING) {
            return Optional.empty();
        }
        try {
            FileStat stat = FileAttributes.stat(handle);
            if (!stat.isRegularFile()) {
                throw new IOException(path + " is not a regular file (" + kind(stat) + ")");
            }
            if (stat.size() > maxBytes) {
                throw tooLarge(path, stat.size() + " bytes", maxBytes);
            }
            Native n = Native.get();
            // below the host's procfs handle: something mounted on the plain /proc/<our pid>/fd
            // (a container with a shared bind of the host's /proc can) would choose the file read
            int opened = n.libc()
                    .openat(
                            HostProc.shared(),
                            DirectoryFd.cString("self/fd/" + handle),
                            Fds.O_RDONLY | Fds.O_NONBLOCK | Fds.O_CLOEXEC,
                            0);
            if (opened < 0) {
                throw new FileCallException("reopen", path, n.lastErrno());
            }
            try (InputStream in = new FdInputStream(opened)) {
                byte[] bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw tooLarge(path, "more than " + maxBytes + " bytes (it grew while it was read)", maxBytes);
                }
                return Optional.of(bytes);
            }
        } finally {
            Fds.closeQuietly(handle);
        }
    }

    private static IOException tooLarge(String path, String size, int maxBytes) {
        return new IOException(path + " is " + size + "; at most " + maxBytes + " bytes are read");
    }

    private static String kind(FileStat stat) {
        return switch (stat.type()) {
            case FileStat.S_IFDIR -> "a directory";
            case FileStat.S_IFIFO -> "a fifo";
            case FileStat.S_IFCHR -> "a character device";
            case FileStat.S_IFBLK -> "a block device";
            case FileStat.S_IFLNK -> "a symbolic link";
            default -> "a socket or another special file";
        };
    }
}
