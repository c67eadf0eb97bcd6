package io.isola.internal.launch;

import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.HeldProcess;
import io.isola.internal.nativ.HostProc;
import io.isola.spi.ClonedChild;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The container's first process as the isolators see it after the clone: its namespaces are
 * opened once, through one handle of the host's procfs ({@link HostProc#openNamespace}), and checked to
 * be its own by its pidfd afterwards; an isolator (and a CNI plugin, through the pin ns-net makes)
 * gets {@code /proc/self/fd/N} of that descriptor. The plain {@code /proc/PID/ns/...} was looked
 * up again by each user: a mount on it (a container given a shared bind of the host's /proc can
 * make one, runc's CVE-2025-52881 class) would have redirected the open, and a thin create's child
 * is its client's, which may reap it, so its pid may name another process by then.
 */
final class HeldChild implements ClonedChild, AutoCloseable {

    private final HeldProcess process;
    private final Map<Namespace, Integer> opened = new EnumMap<>(Namespace.class);
    /** The host's procfs handle, opened with the first namespace and kept for the others. */
    private int proc = -1;

    private boolean closed;

    HeldChild(HeldProcess process) {
        this.process = process;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    /**
     * {@code /proc/self/fd/N} of the child's namespace, valid in this process until the launch
     * ends (every user opens it at once).
     *
     * @throws UncheckedIOException when it cannot be opened, naming it
     * @throws IllegalStateException when the child has ended, or the launch has
     */
    @Override
    public synchronized Path namespacePath(Namespace namespace) {
        if (closed) {
            throw new IllegalStateException("the launch of process " + pid() + " has ended: its namespaces are closed");
        }
        Integer fd = opened.get(namespace);
        if (fd == null) {
            try {
                if (proc < 0) {
                    proc = HostProc.open();
                }
                fd = HostProc.openNamespace(proc, pid(), namespace.procName());
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot open the " + namespace.procName() + " namespace of the container's process: "
                                + e.getMessage(),
                        e);
            }
            // a pid is not reused while its process is unreaped: signalled, what was opened is its
            if (!process.signal(0)) {
                Fds.closeQuietly(fd);
                throw new IllegalStateException("the container's process " + pid() + " has ended");
            }
            opened.put(namespace, fd);
        }
        return Path.of("/proc/self/fd/" + fd);
    }

    @Override
    public synchronized void close() {
        closed = true;
        opened.values().forEach(Fds::closeQuietly);
        opened.clear();
        Fds.closeQuietly(proc);
        proc = -1;
    }
}
