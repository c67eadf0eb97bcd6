package io.isola.internal.launch;

import io.isola.api.ContainerSpec;
import io.isola.api.Join;
import io.isola.api.NamespacePaths;
import io.isola.api.Network;
import io.isola.internal.nativ.Syscalls;
import io.isola.spi.Namespace;
import java.io.IOException;
import java.util.Set;

/**
 * Whether a container's process is in the runtime's own network namespace, the host's: then the
 * lock-down takes NET_RAW away unless the spec added it ({@link
 * io.isola.internal.security.SecurityPolicy}), as a raw or packet socket there reads and forges
 * the host's traffic, loopback included.
 */
final class HostNetwork {

    private HostNetwork() {}

    /**
     * {@code created}: the namespaces the container's isolators create; {@code paths}: those it joins
     * by path; {@code join}: the running process an exec joins (its namespaces, whatever they are).
     */
    static boolean shared(Set<Namespace> created, NamespacePaths paths, Join join, Syscalls host) {
        if (join != null) {
            return sameAsOurs(join.pid(), host);
        }
        if (created.contains(Namespace.NET)) {
            return false;
        }
        return paths == null
                || paths.paths().keySet().stream().noneMatch(name -> PathJoins.namespace(name) == Namespace.NET);
    }

    /**
     * Refuses a spec that asks for a network other than the host's when the container would get no
     * network namespace (no net isolator selected or available): it would silently share the host's.
     */
    static void requireNamespaceFor(ContainerSpec spec, boolean shared) {
        Network network = spec.extension(Network.class).orElse(null);
        if (shared && network != null && network.mode() != Network.Mode.HOST) {
            throw new IllegalArgumentException(
                    "network \"" + network + "\": needs a network namespace, which this container"
                            + " does not have (no net isolator); expected the net isolator, or Network.host() to share the host's");
        }
    }

    /** An exec into a process of the host's network namespace; unreadable counts as shared, the safe side. */
    private static boolean sameAsOurs(long pid, Syscalls host) {
        try {
            return host.readlink("/proc/" + pid + "/ns/net").equals(host.readlink("/proc/self/ns/net"));
        } catch (IOException e) {
            return true;
        }
    }
}
