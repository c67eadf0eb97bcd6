package io.isola.api;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Spec extension: namespaces the container joins instead of creating, each by the path of a
 * namespace file ({@code /run/netns/NAME}, {@code /proc/PID/ns/net}), as an OCI config.json's
 * {@code linux.namespaces[].path} asks. No isolator creates a joined namespace; the child joins
 * each one with {@code setns} before its other setup steps.
 *
 * <p>Only the network, IPC and UTS namespaces can be joined this way: joining a user, PID, mount
 * or cgroup namespace changes what the rest of the setup means and is refused.
 *
 * @param paths by the namespace's name under {@code /proc/<pid>/ns} ({@code net}, {@code ipc},
 *     {@code uts}), the absolute path to join
 */
public record NamespacePaths(Map<String, String> paths) {

    /** The namespaces that can be joined by path. */
    public static final Set<String> JOINABLE = Set.of("net", "ipc", "uts");

    public NamespacePaths {
        paths = Collections.unmodifiableMap(new TreeMap<>(paths));
        paths.forEach((name, path) -> {
            if (!JOINABLE.contains(name)) {
                throw new IllegalArgumentException("namespace \"" + name + "\": cannot be joined by path; expected one of "
                        + new TreeMap<>(Map.of("net", 1, "ipc", 2, "uts", 3)).keySet());
            }
            Paths.requireAbsolute(name + " namespace path", path);
        });
    }
}
