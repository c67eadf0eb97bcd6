package io.isola.spi;

import io.isola.api.ContainerSpec;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What an isolator is asked to prepare: one container, with the namespaces selected for it. */
@ProviderType // implemented by the core; plugins only call it
public interface IsolationRequest {

    /** The container's id, unique among running containers. */
    String containerId();

    ContainerSpec spec();

    /**
     * Whether the container has a namespace of this type other than the runtime's: one an isolator
     * creates, or one joined by path (not a joined mount namespace, whose files are another's).
     */
    boolean selected(Namespace namespace);

    /**
     * Whether the container's namespace of this type is created for it, rather than joined by path
     * or shared with the runtime; what an isolator that {@linkplain
     * NamespaceIsolator#servesWithoutNamespace serves without its namespace} asks about its own.
     *
     * @since 1.3
     */
    default boolean creates(Namespace namespace) {
        return selected(namespace);
    }

    /** Whether one of the container's isolators declared itself in charge of {@code duty}. */
    default boolean provided(Duty duty) {
        return false;
    }

    /**
     * Asks the isolator in charge of {@link Duty#BIND_REQUESTS} to bind {@code bind} into the
     * container's root. Call it from {@code prepare}, and only when {@link #provided provided}
     * says someone is in charge: that isolator reads the requests when it prepares, and isolators
     * prepare in the kernel's namespace order, in which the mount namespace comes last.
     *
     * @throws IllegalStateException when the requests have been read already (a mount isolator
     *     that prepared earlier) or this runtime takes none
     * @since 1.1
     */
    default void requestBind(ContainerBind bind) {
        throw new IllegalStateException("this runtime takes no bind requests (" + bind.what() + ")");
    }

    /**
     * The binds requested so far, in the order they were asked for; for the isolator in charge of
     * {@link Duty#BIND_REQUESTS}, from its {@code prepare}. Reading them closes the requests.
     *
     * @since 1.1
     */
    default List<ContainerBind> requestedBinds() {
        return List.of();
    }
}
