package io.isola.ns.mount;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The empty files and directories that containers create in a host directory used as their root
 * ({@code --rootfs DIR}) to mount other isolators' requests on ({@code /etc/hosts}), removed
 * again so that the directory is left as it was found.
 *
 * <p>Removing one while another container of the host uses the same directory would detach that
 * container's mount (the kernel lazily unmounts an unlinked mount point in other namespaces), so
 * only the last user removes them: each user holds a shared lock on a per-directory lock file
 * from before it looks the directory up until it is released, records there what it will create,
 * and the one that then gets the lock exclusively removes every recorded entry that is still an
 * empty file or directory. The removal never follows a symbolic link (the container may have
 * replaced a directory with one to the host's files): it walks a {@link SecureDirectoryStream}.
 */
final class RootfsPlaceholders {

    private static final Logger LOG = LoggerFactory.getLogger(RootfsPlaceholders.class);
    private static final Path SHARED_LOCKS = Path.of("/run/isola/rootfs");

    /** This JVM's users of each directory: file locks are per process, so one lock serves them all. */
    private static final Map<Path, Users> USERS = new HashMap<>();
    /**
     * Each directory's lock file, named once per JVM: a SHA-256 and a look at the lock directory
     * cost a launch more than the locking itself (it was ~1 ms a launch before the JIT had warmed).
     */
    private static final Map<Path, Path> LOCK_FILES = new ConcurrentHashMap<>();

    private static final class Users {
        final Path lockFile;
        final FileChannel channel;
        final FileLock shared;
        /** The lock file's size when this JVM locked it, and what this JVM has appended to it since. */
        final long initialSize;

        final List<String> appended = new ArrayList<>();
        long appendedBytes;
        int count;

        Users(Path lockFile, FileChannel channel, FileLock shared) throws IOException {
            this.lockFile = lockFile;
            this.channel = channel;
            this.shared = shared;
            this.initialSize = channel.size(); // nobody truncates it while this JVM holds a shared lock
        }

        /**
         * The recorded lines: this JVM's own when the file holds exactly what it appended (no other
         * process used the directory meanwhile), which spares reading and decoding the file on every
         * release of a directory that containers create placeholders in.
         */
        List<String> recorded() throws IOException {
            if (initialSize == 0 && channel.size() == appendedBytes) {
                return appended;
            }
            return Files.readAllLines(lockFile, StandardCharsets.UTF_8);
        }
    }

    private final Path rootfs;
    private boolean released;
    /** Whether this use was {@linkplain #forget() forgotten}, its lock dropped with nothing removed. */
    private boolean forgotten;

    private RootfsPlaceholders(Path rootfs) {
        this.rootfs = rootfs;
    }

    /** Becomes a user of {@code rootfs} (a real path); call before looking anything up in it. */
    static RootfsPlaceholders use(Path rootfs) {
        synchronized (USERS) {
            Users users = USERS.get(rootfs);
            if (users == null) {
                Path lockFile = lockFile(rootfs);
                FileChannel channel = null;
                try {
                    channel = openLockFile(lockFile);
                    // waits only while another process removes placeholders
                    users = new Users(lockFile, channel, channel.lock(0, Long.MAX_VALUE, true));
                } catch (IOException e) {
                    closeQuietly(channel);
                    throw new UncheckedIOException(
                            "cannot lock " + lockFile + " for the root file system " + rootfs, e);
                }
                USERS.put(rootfs, users);
            }
            users.count++;
            return new RootfsPlaceholders(rootfs);
        }
    }

    /** Records the container paths (components) the child will create, before it starts. */
    void willCreate(List<List<String>> paths) {
        if (paths.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        paths.forEach(path -> lines.append(String.join("/", path)).append('\n'));
        byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
        synchronized (USERS) {
            Users users = USERS.get(rootfs);
            try {
                // O_APPEND: other processes' lines are never overwritten
                Files.write(users.lockFile, bytes, StandardOpenOption.APPEND);
                users.appendedBytes += bytes.length;
                paths.forEach(path -> users.appended.add(String.join("/", path)));
            } catch (IOException e) {
                LOG.warn("cannot record the mount points to remove from {}: {}", rootfs, e.toString());
            }
        }
    }

    /** Stops using the directory; the last user of the host removes the placeholders. Idempotent. */
    void release() {
        synchronized (USERS) {
            if (forgotten) {
                forgotten = false;
                use(rootfs).release(); // the recorded lines are still in the lock file
                return;
            }
            if (released) {
                return;
            }
            released = true;
            Users users = USERS.get(rootfs);
            if (--users.count > 0) {
                return;
            }
            USERS.remove(rootfs);
            try {
                users.shared.release();
                FileLock exclusive = users.channel.tryLock(0, Long.MAX_VALUE, false);
                if (exclusive == null) {
                    LOG.debug("{} is still used by another process, which removes the placeholders", rootfs);
                    return;
                }
                if (users.channel.size() > 0) { // most containers create no placeholder
                    removeRecorded(users.recorded());
                    users.channel.truncate(0);
                }
                exclusive.release();
            } catch (IOException e) {
                LOG.warn("cannot remove the mount points created in {}: {}", rootfs, e.toString());
            } finally {
                closeQuietly(users.channel);
            }
        }
    }

    /**
     * Stops using the directory without removing anything, as this process's exit would: for a
     * container that outlives the process that planned it (an OCI create), whose engine may use the
     * directory long after. The placeholders then stay until a later last user removes them.
     * Idempotent; a {@link #release()} after it (the create failed after all) becomes a user again
     * for as long as it takes to remove them, if it is the last.
     */
    void forget() {
        synchronized (USERS) {
            if (released) {
                return;
            }
            released = true;
            forgotten = true;
            Users users = USERS.get(rootfs);
            if (--users.count > 0) {
                return;
            }
            USERS.remove(rootfs);
            closeQuietly(users.channel); // drops the shared lock with the descriptor
        }
    }

    private void removeRecorded(List<String> lines) throws IOException {
        Set<String> recorded = new LinkedHashSet<>(lines);
        // deepest first: /etc/hostname before /etc
        List<List<String>> paths = recorded.stream()
                .filter(line -> !line.isBlank())
                .map(ContainerTree::components)
                .sorted(Comparator.comparingInt(p -> -p.size()))
                .toList();
        try (DirectoryStream<Path> top = Files.newDirectoryStream(rootfs)) {
            if (!(top instanceof SecureDirectoryStream<Path> secure)) {
                LOG.debug("no secure directory streams here: the mount points created in {} stay", rootfs);
                return;
            }
            for (List<String> path : paths) {
                remove(secure, path);
            }
        }
    }

    /** Removes {@code path} below {@code root} if it is an empty file or directory, without following links. */
    private void remove(SecureDirectoryStream<Path> root, List<String> path) {
        SecureDirectoryStream<Path> parent = root;
        try {
            for (int i = 0; i < path.size() - 1; i++) {
                SecureDirectoryStream<Path> next =
                        parent.newDirectoryStream(Path.of(path.get(i)), LinkOption.NOFOLLOW_LINKS);
                if (parent != root) {
                    parent.close();
                }
                parent = next;
            }
            Path name = Path.of(path.get(path.size() - 1));
            BasicFileAttributes attributes = parent.getFileAttributeView(
                            name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            if (attributes.isRegularFile() && attributes.size() == 0) {
                parent.deleteFile(name);
            } else if (attributes.isDirectory()) {
                parent.deleteDirectory(name);
            }
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            // filled by the container, or gone: not a placeholder any more
        } catch (IOException e) {
            // a link or a file where a directory was: the container changed it, and it stays
            LOG.debug("left {} in {}: {}", String.join("/", path), rootfs, e.toString());
        } finally {
            if (parent != root) {
                closeQuietly(parent);
            }
        }
    }

    private static Path lockFile(Path rootfs) {
        Path lockFile = LOCK_FILES.get(rootfs);
        if (lockFile == null) {
            if (LOCK_FILES.size() >= 256) {
                LOCK_FILES.clear(); // a bound for a JVM that starts containers from many directories
            }
            lockFile = lockDirectory().resolve(digest(rootfs) + ".lock");
            LOCK_FILES.put(rootfs, lockFile);
        }
        return lockFile;
    }

    /** Opens (creates) {@code lockFile}, and its directory when it does not exist yet. */
    private static FileChannel openLockFile(Path lockFile) throws IOException {
        try {
            return FileChannel.open(
                    lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(lockFile.getParent());
            return FileChannel.open(
                    lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    /** The lock file's name: one per directory, whatever characters its path has. */
    private static String digest(Path rootfs) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(rootfs.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Root's shared directory; a user who may not write there (rootless) gets one of their own. */
    private static Path lockDirectory() {
        if (Files.isDirectory(SHARED_LOCKS) ? Files.isWritable(SHARED_LOCKS) : Files.isWritable(Path.of("/run"))) {
            return SHARED_LOCKS;
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "isola-" + SandboxRoot.directoryUid(), "rootfs");
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.toString());
        }
    }
}
