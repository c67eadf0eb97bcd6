package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.ProcessUser;
import io.isola.api.UserNamespace;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.support.HostIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * When a container gets a user namespace. Unlike the other namespaces, a user namespace changes
 * who owns the container's files and what its root may do, so, as with runc and podman, root gets
 * one only when it asks ({@link UserNamespace} in the spec, or the user isolator named), even when
 * every available isolator is the default. A runtime that runs as another user (rootless) gets one
 * whenever the container has any namespace at all, as podman does: the kernel creates the other
 * namespaces for an unprivileged process only inside a user namespace that it owns; and
 * whenever it sets a {@link ProcessUser}, whose ids exist for it only in such a namespace.
 */
final class UserNamespaceSelection {

    private UserNamespaceSelection() {}

    /**
     * {@code selected} with the user isolator added or removed as the rules say.
     *
     * @param everyAvailable whether {@code selected} is "every available isolator" rather than a
     *     list the spec or the runtime's configuration named
     */
    static List<NamespaceIsolator> apply(
            ContainerSpec spec,
            List<NamespaceIsolator> selected,
            List<NamespaceIsolator> available,
            boolean everyAvailable,
            HostIdentity host) {
        List<NamespaceIsolator> result = new ArrayList<>(selected);
        boolean requested = spec.extension(UserNamespace.class).isPresent();
        if (everyAvailable && host.isRoot() && !requested) {
            result.removeIf(isolator -> isolator.namespace() == Namespace.USER);
        }
        boolean hasUser = result.stream().anyMatch(isolator -> isolator.namespace() == Namespace.USER);
        // rootless, a process user other than one's own needs a namespace where its ids exist
        boolean needed = requested
                || (!host.isRoot()
                        && (!result.isEmpty()
                                || spec.extension(ProcessUser.class).isPresent()));
        if (needed && !hasUser) {
            NamespaceIsolator user = available.stream()
                    .filter(isolator -> isolator.namespace() == Namespace.USER)
                    .findFirst()
                    .orElseThrow(() -> missing(requested, host, available));
            result.add(user);
        }
        return result;
    }

    private static IllegalArgumentException missing(
            boolean requested, HostIdentity host, List<NamespaceIsolator> available) {
        String names = available.stream().map(NamespaceIsolator::name).collect(Collectors.joining(", "));
        if (requested) {
            return new IllegalArgumentException(
                    "--userns: no available isolator creates user namespaces (is the ns-user "
                            + "bundle installed?); available are " + (names.isEmpty() ? "none" : names));
        }
        return new IllegalArgumentException(
                "isola runs as uid " + host.uid() + ", not root: a rootless container needs a "
                        + "user namespace and no available isolator creates one (is the ns-user bundle installed?)");
    }
}
