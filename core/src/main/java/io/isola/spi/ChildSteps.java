package io.isola.spi;

import java.util.concurrent.Future;
import org.osgi.annotation.versioning.ProviderType;

/** Where an {@link Isolation} contributes the steps the child runs before the user's command. */
@ProviderType // implemented by the runtime (and wrappers shipped with it); plugins only call it
public interface ChildSteps {

    /** Appends {@code step} to {@code phase}, after the steps this isolation already added there. */
    void add(Phase phase, Step step);

    /**
     * Appends a checkpoint to {@code phase}: the child stops there until the host has read every
     * step record so far and found them clean. Put one after a step whose failure would make later
     * steps harmful (mounts after a failed change of propagation could reach the host).
     */
    void checkpoint(Phase phase, String description);

    /**
     * Like {@link #checkpoint(Phase, String)}, answered only once {@code hostSide} is done as
     * well: host-side work that {@link Isolation#afterClone} started and left running (a cgroup
     * join), so that the child does its own work meanwhile and waits only where it needs the
     * result. A failed {@code hostSide} fails the start as a failed {@code afterClone} does.
     *
     * @throws UnsupportedOperationException where the runtime cannot wait there; do the work in
     *     {@code afterClone} and use a plain checkpoint instead
     */
    default void checkpoint(Phase phase, String description, Future<?> hostSide) {
        throw new UnsupportedOperationException("this runtime cannot make a checkpoint wait for host-side work");
    }

    /**
     * Keeps {@code fd}, which the host opened, open in the child when every other inherited fd is
     * closed, so that a step can use it by number ({@code setns} on a {@link io.isola.spi.support.NamespaceFile}). It
     * should be close-on-exec, so that the user's command does not inherit it.
     */
    default void keepOpen(int fd) {
        throw new UnsupportedOperationException("this runtime cannot keep file descriptors open in the child");
    }
}
