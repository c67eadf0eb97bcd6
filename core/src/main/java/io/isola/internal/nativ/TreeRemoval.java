package io.isola.internal.nativ;

import java.io.IOException;
import java.util.Optional;

/**
 * Removes a file or a whole tree below a directory descriptor, as Go's os.RemoveAll does with
 * unlinkat: every directory is opened relative to its parent without following links, so a link
 * met on the way (or swapped in meanwhile by a container that still writes there) is removed, and
 * what it points to is never visited.
 */
final class TreeRemoval {

    /** A directory that still fills up after this many listings is left with an error: something still writes there. */
    private static final int ATTEMPTS = 5;

    private TreeRemoval() {}

    static void remove(DirectoryFd parent, String name) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Optional<FileStat> stat = parent.stat(name);
            if (stat.isEmpty()) {
                return;
            }
            try {
                if (stat.get().isDirectory()) {
                    try (DirectoryFd dir = openForRemoval(parent, name)) {
                        for (String child : dir.list()) {
                            remove(dir, child);
                        }
                    }
                }
                parent.unlink(name, stat.get().isDirectory());
                return;
            } catch (FileCallException e) {
                if (e.errno() == Errno.ENOENT) {
                    return;
                }
                boolean changed = e.errno() == Errno.ENOTEMPTY
                        || e.errno() == Errno.ELOOP
                        || e.errno() == Errno.ENOTDIR
                        || e.errno() == Errno.EISDIR;
                if (!changed || attempt == ATTEMPTS) {
                    throw e;
                }
                // replaced or refilled meanwhile: look again at what the name is now
            }
        }
    }

    /**
     * overlayfs leaves work/work with mode 0: root opens it anyway, a rootless owner must give
     * itself access first, through an O_PATH descriptor of that very directory.
     */
    private static DirectoryFd openForRemoval(DirectoryFd parent, String name) throws FileCallException {
        try {
            return parent.directory(name);
        } catch (FileCallException e) {
            if (e.errno() != Errno.EACCES) {
                throw e;
            }
            Native n = Native.get();
            int handle = n.libc()
                    .openat(
                            parent.fd(),
                            DirectoryFd.cString(name),
                            Fds.O_PATH | Fds.O_NOFOLLOW | Fds.O_DIRECTORY | Fds.O_CLOEXEC,
                            0);
            if (handle < 0) {
                throw e;
            }
            try {
                n.libc().chmod(DirectoryFd.cString("/proc/self/fd/" + handle), 0700);
            } finally {
                Fds.closeQuietly(handle);
            }
            return parent.directory(name);
        }
    }
}
