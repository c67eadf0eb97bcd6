package io.isola.spi.support;

import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.spi.Arg;
import io.isola.spi.ChildSteps;
import io.isola.spi.LibcCall;
import io.isola.spi.Namespace;
import io.isola.spi.Step;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A namespace held open by the host: an fd on a {@code /proc/<pid>/ns/*} link or a bind-mounted
 * namespace file. Holding it keeps the namespace alive after its last process has exited (a CNI
 * DEL still finds the container's interfaces), and a child step can join it with {@code setns}
 * after {@link ChildSteps#keepOpen keeping} the fd. The fd is close-on-exec; close it when done.
 */
public final class NamespaceFile implements AutoCloseable {

    private static final long MS_BIND = 4096;
    private static final int MNT_DETACH = 2, EINVAL = 22, ENOENT = 2;

    private final Path source;
    private final int fd;
    private boolean closed;

    private NamespaceFile(Path source, int fd) {
        this.source = source;
        this.fd = fd;
    }

    /** Opens {@code path} read-only; the message of the failure names the path and the errno. */
    public static NamespaceFile open(Path path) {
        Objects.requireNonNull(path, "path");
        try {
            return new NamespaceFile(path, Fds.open(path.toString(), Fds.O_RDONLY, 0));
        } catch (NativeException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Pins the namespace behind {@code link} ({@code /proc/<pid>/ns/net}) to {@code file} with a bind
     * mount, as {@code ip netns add} does: the namespace then outlives its processes and this JVM,
     * so a later process can still clean up inside it. The file is created if missing.
     */
    public static void pin(Path link, Path file) {
        try {
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.createFile(file);
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + file + " to pin " + link + " on: " + e, e);
        }
        Native n = Native.get();
        if (n.libc().mount(link.toString(), file.toString(), null, MS_BIND, null) < 0) {
            throw new IllegalStateException(
                    new NativeException("bind-mount " + link + " on " + file, n.lastErrno()).getMessage());
        }
    }

    /**
     * Releases a {@link #pin}: detaches the bind mount and removes the file, which also drops the
     * copies that mount namespaces cloned meanwhile hold (the kernel detaches mounts on an
     * unlinked file in every namespace). Nothing happens when it is not pinned or already gone.
     */
    public static void unpin(Path file) {
        Native n = Native.get();
        if (n.libc().umount2(file.toString(), MNT_DETACH) < 0 && n.lastErrno() != EINVAL && n.lastErrno() != ENOENT) {
            throw new IllegalStateException(new NativeException("unmount " + file, n.lastErrno()).getMessage());
        }
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot remove " + file + ": " + e, e);
        }
    }

    public int fd() {
        return fd;
    }

    /** The path it was opened from. */
    public Path source() {
        return source;
    }

    /**
     * A path by which another process (a CNI plugin) reaches the same namespace while this file is
     * open: {@code /proc/<host pid>/fd/<fd>}, whatever became of the namespace's processes.
     */
    public Path pathForOthers() {
        return Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd", Integer.toString(fd));
    }

    /** The child step that makes the child join this namespace; keep the fd open for it. */
    public Step join(Namespace namespace) {
        return Step.call(
                "join the " + namespace.procName() + " namespace of " + source,
                LibcCall.SETNS,
                Arg.word(fd),
                Arg.word(namespace.cloneFlag()));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Fds.closeQuietly(fd);
        }
    }
}
