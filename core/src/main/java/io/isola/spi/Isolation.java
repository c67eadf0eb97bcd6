package io.isola.spi;

import java.util.Optional;

/**
 * One isolator's part in one container: created by {@link NamespaceIsolator#prepare} on the host
 * before the clone, and always {@linkplain #close() closed}, in reverse order of preparation, when
 * the container has exited or failed to start, or {@linkplain #handOver() handed over} when the
 * container outlives the process that prepared it.
 */
public interface Isolation extends AutoCloseable {

    /** Adds this isolation's child-side steps. Runs once, before the clone. */
    default void contribute(ChildSteps steps) {}

    /**
     * Host-side work once the child exists and before it may run the user's command (id maps,
     * cgroups, network). The child is waiting at a gate meanwhile.
     */
    default void afterClone(ClonedChild child) throws Exception {}

    /**
     * A feature this isolation offers to the embedding application through {@code
     * Container.facet(type)} (such as {@code io.isola.api.ResourceControl}); it must stay safe to
     * call after {@link #close()}.
     */
    default <T> Optional<T> facet(Class<T> type) {
        return Optional.empty();
    }

    /**
     * The container outlives the process that prepared it (an OCI create: the engine's process
     * tree keeps it, and the process that planned it exits, or is a resident server that lives on):
     * called once the container's first process has been set up and waits at its gate. {@link
     * #close()} then never comes in this process. Drops what only this process holds (locks,
     * descriptors), as its exit would, and undoes nothing.
     *
     * @since 2.1
     */
    default void handOver() throws Exception {}

    /** Releases what {@code prepare} and {@code afterClone} created. Must be safe to call once after any failure. */
    @Override
    default void close() throws Exception {}
}
