package io.isola.lifecycle;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a file, held against other processes and against the other threads of
 * this JVM alike. A file lock alone does not do the second: a JVM holds one lock of a file at a
 * time and throws OverlappingFileLockException at a second thread instead of making it wait, as
 * concurrent commands of a resident server would meet it. So threads queue on a lock of the
 * file's own in this JVM first, then take the file lock. Closed by the thread that acquired it.
 */
public final class LockFile implements AutoCloseable {

    private static final ConcurrentHashMap<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock inThisJvm;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private LockFile(ReentrantLock inThisJvm, FileChannel channel, FileLock lock) {
        this.inThisJvm = inThisJvm;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Waits for the lock of {@code file}, created if need be readable and writable by its owner
     * only, never through a link: what every store's lock file is.
     */
    public static LockFile ownerOnly(Path file) throws IOException {
        return acquire(
                file,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** Waits for the lock of {@code file}, opened (and created if need be) with {@code options} and {@code attributes}. */
    public static LockFile acquire(Path file, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
            throws IOException {
        ReentrantLock inThisJvm =
                IN_THIS_JVM.computeIfAbsent(file.toAbsolutePath().normalize(), path -> new ReentrantLock());
        inThisJvm.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, options, attributes);
            return new LockFile(inThisJvm, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            inThisJvm.unlock();
            throw e;
        }
    }

    public boolean isValid() {
        return lock.isValid();
    }

    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        try {
            lock.release();
            channel.close();
        } finally {
            inThisJvm.unlock();
        }
    }
}
