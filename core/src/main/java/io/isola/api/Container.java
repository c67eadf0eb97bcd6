package io.isola.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A started container: its first process has passed the gate and runs the user's command.
 * Closing the handle kills the container if it still runs, reaps it and releases everything its
 * isolators created.
 */
@ProviderType // implemented by the core; plugins only call it
public interface Container extends AutoCloseable {

    String id();

    /** The first process's pid in the host's PID namespace. */
    long pid();

    /** Waits until the container's first process ends, then releases the container's resources. */
    ExitStatus waitFor() throws InterruptedException;

    /** Like {@link #waitFor()}, giving up after {@code timeout}. */
    Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException;

    /** Sends {@code signal} to the container's first process; no effect once it has ended. */
    void kill(int signal);

    /** The container's standard output, when the spec asked for {@link Stdio#PIPE}. */
    InputStream stdout();

    /** The container's standard error, when the spec asked for {@link Stdio#PIPE}. */
    InputStream stderr();

    /** The container's standard input, when the spec asked for {@link Stdio#PIPE}. */
    OutputStream stdin();

    /**
     * A feature of this container that an isolator provides, looked up by type, such as {@link
     * ResourceControl}; empty when none of the container's isolators offers it.
     */
    default <T> Optional<T> facet(Class<T> type) {
        return Optional.empty();
    }

    /**
     * Sets the size of the container's terminal (see {@link Terminal}); the kernel sends the
     * foreground process group SIGWINCH.
     */
    default void resizeTerminal(int columns, int rows) {
        throw new IllegalStateException("container " + id() + " has no terminal");
    }

    /**
     * Lets the container run on without this handle: nothing is killed or released on close.
     * For a container whose lifecycle continues in another process (OCI create, a detached run).
     */
    default void detach() {
        throw new UnsupportedOperationException("this container cannot be detached");
    }

    @Override
    void close();
}
