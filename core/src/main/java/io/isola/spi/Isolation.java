package io.isola.spi;

import java.util.Optional;

/**
 * One isolator's part in one container: created by {@link NamespaceIsolator#prepare} on the host
 * before the clone, and always {@linkplain #close() closed}, in reverse order of preparation, when
 * the container has exited or failed to start.
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

    /** Releases what {@code prepare} and {@code afterClone} created. Must be safe to call once after any failure. */
    @Override
    default void close() throws Exception {}
}
