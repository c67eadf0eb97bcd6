package io.isola.spi.support;

import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.SyscallNumbers;
import io.isola.spi.ClonedChild;
import io.isola.spi.Isolation;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Host work inside one namespace of a container, from {@link Isolation#afterClone} while the child
 * waits: a new host thread joins the namespace ({@code setns}), runs the work and ends.
 *
 * <p>Why a thread of its own that ends: {@code setns} moves only the calling thread, and what a
 * thread opens afterwards ({@code /proc/sys/net}, a socket, a mount) belongs to the namespace it
 * is in. A thread that went back to other work would create the runtime's own sockets and files
 * in a container's namespace; an ended thread takes its reference to the namespace with it.
 * Joining is allowed for one thread of a multithreaded process for every namespace but the user
 * namespace (refused by the kernel); a mount namespace also needs the thread to stop sharing its
 * root and working directory with the JVM's other threads ({@code unshare(CLONE_FS)}). The caller
 * needs {@code CAP_SYS_ADMIN} in its own user namespace and in the one owning the namespace: host
 * root, not a rootless runtime.
 */
public final class NamespaceThread {

    private static final long CLONE_FS = 0x200;

    /** Work run inside the namespace; its failure is the caller's. */
    @FunctionalInterface
    public interface Work {
        void run() throws IOException;
    }

    private NamespaceThread() {}

    /**
     * Runs {@code work} on a new thread joined to the namespace behind {@code file} (a {@code
     * /proc/<pid>/ns/*} link, as {@link ClonedChild#namespacePath} gives, or a pinned namespace
     * file) and returns when the thread has ended. Waiting is not interruptible: the work is short,
     * and returning while it still runs would let the caller clean up under it (an interrupt is
     * kept for the caller).
     *
     * @throws IOException when the namespace cannot be opened or joined (naming it and the errno), or
     *     the work's own failure; a runtime exception of the work is wrapped in one
     * @throws IllegalArgumentException for {@link Namespace#USER}, which a multithreaded process
     *     cannot join
     */
    public static void run(Path file, Namespace namespace, Work work) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(work, "work");
        if (namespace == Namespace.USER) {
            throw new IllegalArgumentException("a thread of a multithreaded process cannot join a user namespace");
        }
        int fd;
        try {
            fd = Fds.open(file.toString(), Fds.O_RDONLY, 0);
        } catch (NativeException e) {
            throw new IOException(
                    "cannot open the " + namespace.procName() + " namespace " + file + ": " + e.getMessage(), e);
        }
        IOException[] failure = new IOException[1];
        Thread thread = new Thread(
                () -> {
                    try {
                        join(fd, file, namespace);
                        work.run();
                    } catch (IOException e) {
                        failure[0] = e;
                    } catch (RuntimeException e) {
                        failure[0] = new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
                    }
                },
                "isola-" + namespace.procName() + "ns");
        thread.setDaemon(true);
        try {
            thread.start();
            Uninterruptibly.await(thread::join);
        } finally {
            Fds.closeQuietly(fd);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private static void join(int fd, Path file, Namespace namespace) throws IOException {
        Native n = Native.get();
        if (namespace == Namespace.MOUNT && n.libc().syscall(SyscallNumbers.UNSHARE, CLONE_FS, 0, 0, 0) < 0) {
            throw new IOException("unshare(CLONE_FS) before joining " + file + " failed: " + Errno.name(n.lastErrno()));
        }
        if (n.libc().syscall(SyscallNumbers.SETNS, fd, namespace.cloneFlag(), 0, 0) < 0) {
            int errno = n.lastErrno();
            throw new IOException("cannot join the " + namespace.procName() + " namespace " + file + ": "
                    + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        }
    }
}
