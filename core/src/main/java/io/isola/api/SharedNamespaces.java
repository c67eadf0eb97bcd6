package io.isola.api;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Spec extension: namespaces the container shares with the runtime although an isolator selected
 * for its other work would create one, as an OCI config.json asks by not listing the type ("the
 * container MUST inherit the runtime namespace of that type"). The cgroup isolator, selected for
 * the container's limits, then makes and fills the container's cgroup without a cgroup namespace.
 * An isolator that has nothing to do without its namespace is left out when it is a default, and
 * refused when the spec names it.
 *
 * @param names by the namespace's name under {@code /proc/<pid>/ns} ({@code cgroup}, {@code net},
 *     ...; {@link NamespacePaths#JOINABLE})
 */
public record SharedNamespaces(Set<String> names) {

    public SharedNamespaces {
        names = Collections.unmodifiableSet(new TreeSet<>(names));
        for (String name : names) {
            if (!NamespacePaths.JOINABLE.contains(name)) {
                throw new IllegalArgumentException("namespace \"" + name + "\": not a namespace type; expected one of "
                        + new TreeSet<>(NamespacePaths.JOINABLE));
            }
        }
    }
}
