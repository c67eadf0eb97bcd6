package io.isola.spi;

import io.isola.api.ContainerSpec;
import org.osgi.annotation.versioning.ProviderType;

/** What an isolator is asked to prepare: one container, with the namespaces selected for it. */
@ProviderType // implemented by the core; plugins only call it
public interface IsolationRequest {

    /** The container's id, unique among running containers. */
    String containerId();

    ContainerSpec spec();

    /** Whether the container gets a new namespace of this type (from any isolator). */
    boolean selected(Namespace namespace);

    /** Whether one of the container's isolators declared itself in charge of {@code duty}. */
    default boolean provided(Duty duty) {
        return false;
    }
}
