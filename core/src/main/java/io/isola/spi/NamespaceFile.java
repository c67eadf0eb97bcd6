package io.isola.spi;

import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.NativeException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A namespace held open by the host: an fd on a {@code /proc/<pid>/ns/*} link or a bind-mounted
 * namespace file. Holding it keeps the namespace alive after its last process has exited (a CNI
 * DEL still finds the container's interfaces), and a child step can join it with {@code setns}
 * after {@link ChildSteps#keepOpen keeping} the fd. The fd is close-on-exec; close it when done.
 */
public final class NamespaceFile implements AutoCloseable {

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
        return Step.call("join the " + namespace.procName() + " namespace of " + source, "setns",
                Arg.word(fd), Arg.word(namespace.cloneFlag()));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Fds.closeQuietly(fd);
        }
    }
}
