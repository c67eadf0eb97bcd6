package io.isola.api;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Spec extension: namespaces the container joins instead of creating, each by the path of a
 * namespace file ({@code /run/netns/NAME}, {@code /proc/PID/ns/net}), as an OCI config.json's
 * {@code linux.namespaces[].path} asks. No isolator creates a joined namespace; the child joins
 * each one with {@code setns} before its other setup steps.
 *
 * <p>Every type can be joined, in the kernel's order (the user namespace first, the mount
 * namespace last). A PID namespace is joined by the runtime's cloning thread just before the
 * clone (setns of a PID namespace applies only to the children of the caller); the others by the
 * child. A joined mount namespace replaces the root: the container's root and mounts are not
 * applied there. A joined user namespace owns the namespaces the container creates beside it (a
 * Kubernetes pod's app container with {@code hostUsers: false}): the child creates them after the
 * joins, and with a new PID namespace the container's process is a second child, its PID 1. A new
 * time namespace beside a joined user namespace is refused.
 *
 * @param paths by the namespace's name under {@code /proc/<pid>/ns} ({@code net}, {@code ipc},
 *     {@code uts}, {@code pid}, {@code mnt}, {@code user}, {@code cgroup}, {@code time}), the
 *     absolute path to join
 */
public record NamespacePaths(Map<String, String> paths) {

    /** The namespaces that can be joined by path. */
    public static final Set<String> JOINABLE = Set.of("net", "ipc", "uts", "pid", "mnt", "user", "cgroup", "time");

    public NamespacePaths {
        paths = Collections.unmodifiableMap(new TreeMap<>(paths));
        paths.forEach((name, path) -> {
            if (!JOINABLE.contains(name)) {
                throw new IllegalArgumentException("namespace \"" + name
                        + "\": cannot be joined by path; expected one of " + new TreeSet<>(JOINABLE));
            }
            Paths.requireAbsolute(name + " namespace path", path);
        });
    }
}
