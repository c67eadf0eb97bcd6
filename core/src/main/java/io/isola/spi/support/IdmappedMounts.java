package io.isola.spi.support;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.LibC;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeMemory;
import io.isola.internal.nativ.SyscallNumbers;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idmapped views of host directories for a cloned child (Linux 5.12+): in the child's mount
 * namespace, each directory gets a clone of its own mount tree, idmapped with the child's user
 * namespace, mounted over it. Through it a file that host uid {@code h} owns shows as container
 * uid {@code h} (host root's files as the container's root, with its rights), and what the
 * container creates or chowns there is stored as the host id that container id maps to; the
 * directory itself is never changed, and the host's mount table never sees the mounts.
 *
 * <p>Why afterClone and why a thread: the user namespace to idmap with is the child's, which
 * exists only after the clone, and the mounts must land in the child's mount namespace, which the
 * child reaches with the fds it had at clone time only. So while the child waits at its first
 * checkpoint, a {@link NamespaceThread} joins the child's mount namespace and there runs {@code
 * open_tree(OPEN_TREE_CLONE)}, {@code mount_setattr(MOUNT_ATTR_IDMAP)} and {@code move_mount} for
 * each directory; the thread then ends, taking its namespace with it. This needs host root:
 * idmapping a mount takes {@code CAP_SYS_ADMIN} in the user namespace of the directory's file
 * system, and joining a mount namespace {@code CAP_SYS_CHROOT}.
 *
 * <p>Call it from {@link Isolation#afterClone} after the user isolator wrote the maps (it runs
 * first, in kernel order) and before the child makes its mounts private and builds its root.
 */
public final class IdmappedMounts {

    private static final Logger LOG = LoggerFactory.getLogger(IdmappedMounts.class);

    private static final long AT_EMPTY_PATH = 0x1000;
    private static final long OPEN_TREE_CLONE = 1, MOVE_MOUNT_F_EMPTY_PATH = 4;
    private static final long MOUNT_ATTR_IDMAP = 0x100000;
    private static final int MOUNT_ATTR_SIZE = 32;
    /** What mount_setattr answers when the file system or the kernel cannot idmap (rather than a bug of ours). */
    private static final Set<String> REFUSALS = Set.of("EINVAL", "EPERM", "ENOSYS", "EOPNOTSUPP");

    /** The kernel would not idmap a directory: the file system or the kernel does not support it. */
    public static final class Refused extends IOException {
        private final Path directory;

        Refused(Path directory, String message) {
            super(message);
            this.directory = directory;
        }

        /** The directory that could not be idmapped. */
        public Path directory() {
            return directory;
        }
    }

    private IdmappedMounts() {}

    /**
     * Mounts an idmapped clone of each of {@code directories} over itself in {@code child}'s mount
     * namespace, idmapped with {@code child}'s user namespace.
     *
     * @throws Refused when the kernel will not idmap one of them (its file system does not support
     *     it, or the kernel is older than 5.12); the child's namespace may hold the earlier ones,
     *     which go with it
     * @throws IOException when a directory cannot be cloned or mounted
     */
    public static void mountOver(ClonedChild child, List<Path> directories) throws IOException, InterruptedException {
        if (directories.isEmpty()) {
            return;
        }
        int userns = open(child.namespacePath(Namespace.USER));
        try (NativeMemory attr = new NativeMemory(MOUNT_ATTR_SIZE);
                NativeMemory empty = new NativeMemory(8)) {
            NativeMemory.zero(attr.address(), MOUNT_ATTR_SIZE);
            NativeMemory.putLong(attr.address(), MOUNT_ATTR_IDMAP);
            NativeMemory.putLong(attr.address() + 24, userns);
            NativeMemory.zero(empty.address(), 8);
            Native n = Native.get();
            NamespaceThread.run(child.namespacePath(Namespace.MOUNT), Namespace.MOUNT, () -> {
                for (Path directory : directories) {
                    mountOne(n.libc(), n, directory, attr.address(), empty.address());
                }
            });
        } finally {
            Fds.closeQuietly(userns);
        }
    }

    private static void mountOne(LibC libc, Native n, Path directory, long attr, long empty) throws IOException {
        String path = directory.toString();
        try (NativeMemory text = new NativeMemory(path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1L)) {
            NativeMemory.putString(text.address(), path);
            // recursive: a clone without the mounts below the directory is refused when they are locked
            long tree = libc.syscall(
                    SyscallNumbers.OPEN_TREE,
                    Fds.AT_FDCWD,
                    text.address(),
                    OPEN_TREE_CLONE | Fds.O_CLOEXEC | SyscallSteps.AT_RECURSIVE,
                    0);
            check(tree, n, "open_tree(" + path + ")", directory);
            try {
                check(
                        libc.syscall(
                                SyscallNumbers.MOUNT_SETATTR,
                                tree,
                                empty,
                                AT_EMPTY_PATH | SyscallSteps.AT_RECURSIVE,
                                attr,
                                MOUNT_ATTR_SIZE,
                                0),
                        n,
                        "mount_setattr(MOUNT_ATTR_IDMAP) on " + path,
                        directory);
                check(
                        libc.syscall(
                                SyscallNumbers.MOVE_MOUNT,
                                tree,
                                empty,
                                Fds.AT_FDCWD,
                                text.address(),
                                MOVE_MOUNT_F_EMPTY_PATH,
                                0),
                        n,
                        "move_mount onto " + path,
                        null);
            } finally {
                Fds.closeQuietly((int) tree);
            }
        }
        LOG.debug("idmapped {} in the mount namespace of the container", directory);
    }

    /** A failure of an idmap call on {@code refusable} with a refusal errno is a {@link Refused}. */
    private static void check(long result, Native n, String call, Path refusable) throws IOException {
        if (result >= 0) {
            return;
        }
        int errno = n.lastErrno();
        String name = Errno.name(errno);
        String text = call + " failed: " + name + " (" + Errno.describe(errno) + ")";
        if (refusable != null && REFUSALS.contains(name)) {
            throw new Refused(
                    refusable,
                    text + "; the " + fileSystem(refusable) + " file system or this kernel ("
                            + System.getProperty("os.version") + ") does not support idmapped mounts");
        }
        throw new IOException(text);
    }

    private static String fileSystem(Path directory) {
        try {
            return Files.getFileStore(directory).type();
        } catch (IOException e) {
            return "directory's";
        }
    }

    private static int open(Path path) throws IOException {
        try {
            return Fds.open(path.toString(), Fds.O_RDONLY, 0);
        } catch (RuntimeException e) {
            throw new IOException("cannot open " + path + ": " + e.getMessage(), e);
        }
    }
}
