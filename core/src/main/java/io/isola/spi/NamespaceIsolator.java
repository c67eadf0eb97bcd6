package io.isola.spi;

import io.isola.api.ContainerSpec;
import java.util.Set;
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

    /**
     * What this isolator takes care of, beyond its namespace, for every container in which it
     * creates its namespace (see {@link #servesWithoutNamespace}).
     */
    default Set<Duty> duties() {
        return Set.of();
    }

    /**
     * Whether this isolator has work for a container that does not create its namespace: one that
     * joins it by path ({@link io.isola.api.NamespacePaths}) or shares the runtime's ({@link
     * io.isola.api.SharedNamespaces}); the cgroup isolator's cgroup and limits are such work. Such
     * an isolator stays selected for that container, its namespace is left out of the clone,
     * {@link IsolationRequest#creates} says so, and its {@link #duties} are not taken. An isolator
     * that returns false is refused for such a container, or left out when it is only a default.
     *
     * @since 1.3
     */
    default boolean servesWithoutNamespace() {
        return false;
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
