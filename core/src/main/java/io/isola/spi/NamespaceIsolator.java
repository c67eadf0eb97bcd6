package io.isola.spi;

import io.isola.api.ContainerSpec;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A plugin that puts containers into one type of Linux namespace and sets it up.
 *
 * <p>Implementations are services (one per bundle). The orchestrator never relies on the order in
 * which services arrive: it creates namespaces in {@link Namespace}'s order.
 */
@ConsumerType
public interface NamespaceIsolator {

    /** A short, unique name by which users select this isolator ({@code "uts"}). */
    String name();

    /** The namespace this isolator creates. Two isolators may not claim the same one. */
    Namespace namespace();

    /**
     * Prepares the namespace for one container, on the host, before the clone. Throw an {@link
     * IllegalArgumentException} naming the bad value for input the user got wrong.
     */
    Isolation prepare(IsolationRequest request) throws Exception;

    /** What this isolator takes care of for every container it isolates, beyond its namespace. */
    default java.util.Set<Duty> duties() {
        return java.util.Set.of();
    }

    /**
     * Whether a container with this spec gets this isolator's namespace at all. An isolator returns
     * false when the spec asks to share the host's namespace ({@code --net host}); it is then not
     * selected, and neither prepares nor contributes anything.
     */
    default boolean appliesTo(ContainerSpec spec) {
        return true;
    }
}
