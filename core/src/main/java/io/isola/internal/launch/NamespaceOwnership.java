package io.isola.internal.launch;

import io.isola.spi.Duty;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of a container's selected isolators create their namespace. A namespace the container
 * joins by path or shares with the runtime is created by none: an isolator that {@linkplain
 * NamespaceIsolator#servesWithoutNamespace serves without it} (the cgroup isolator's limits) stays
 * and does its other work; another is left out when it was only a default and refused when the
 * spec named it, since the container would silently lack what was asked for.
 *
 * @param isolators the isolators that prepare, in the order given
 * @param created the namespaces the clone creates
 * @param duties the duties of the isolators that create their namespace
 */
record NamespaceOwnership(List<NamespaceIsolator> isolators, Set<Namespace> created, Set<Duty> duties) {

    private static final Logger LOG = LoggerFactory.getLogger(NamespaceOwnership.class);

    /**
     * @param joined the namespaces joined by path
     * @param shared the namespaces the spec shares with the runtime
     * @param named whether the spec named its isolators (rather than taking the runtime's defaults)
     */
    static NamespaceOwnership of(
            List<NamespaceIsolator> selected, Set<Namespace> joined, Set<Namespace> shared, boolean named) {
        List<NamespaceIsolator> isolators = new ArrayList<>();
        Set<Namespace> created = EnumSet.noneOf(Namespace.class);
        Set<Duty> duties = EnumSet.noneOf(Duty.class);
        for (NamespaceIsolator isolator : selected) {
            Namespace namespace = isolator.namespace();
            boolean isJoined = joined.contains(namespace);
            if (!isJoined && !shared.contains(namespace)) {
                isolators.add(isolator);
                created.add(namespace);
                duties.addAll(isolator.duties());
            } else if (isolator.servesWithoutNamespace()) {
                isolators.add(isolator);
            } else if (named) {
                throw new IllegalArgumentException("namespace \"" + namespace.procName() + "\": "
                        + (isJoined ? "joined by path" : "shared with the runtime") + ", but isolator \""
                        + isolator.name()
                        + "\" only creates one; expected the namespace " + (isJoined ? "joined" : "shared")
                        + " or the isolator selected, not both");
            } else {
                LOG.debug(
                        "isolator {} left out: the container {} its {} namespace",
                        isolator.name(),
                        isJoined ? "joins" : "shares",
                        namespace.procName());
            }
        }
        return new NamespaceOwnership(List.copyOf(isolators), created, duties);
    }
}
