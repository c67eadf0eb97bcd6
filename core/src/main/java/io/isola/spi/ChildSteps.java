package io.isola.spi;

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
     * Keeps {@code fd}, which the host opened, open in the child when every other inherited fd is
     * closed, so that a step can use it by number ({@code setns} on a {@link NamespaceFile}). It
     * should be close-on-exec, so that the user's command does not inherit it.
     */
    default void keepOpen(int fd) {
        throw new UnsupportedOperationException("this runtime cannot keep file descriptors open in the child");
    }
}
