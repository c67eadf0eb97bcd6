package io.isola.ns.cgroup;

import java.nio.file.Path;
import java.util.Set;

/**
 * One mounted cgroup hierarchy, as /proc/self/mountinfo lists it.
 *
 * @param mountPoint where it is mounted on the host
 * @param unified whether it is a cgroup2 (unified) hierarchy
 * @param controllers v1: the controllers bound to it ({@code cpu}, {@code name=systemd}); v2: empty
 *     (read {@code cgroup.controllers} instead)
 * @param mountData the mount data that mounts this hierarchy again ({@code "memory"},
 *     {@code "none,name=systemd"}; empty for cgroup2)
 */
record Hierarchy(Path mountPoint, boolean unified, Set<String> controllers, String mountData) {

    Hierarchy {
        controllers = Set.copyOf(controllers);
    }

    boolean has(String controller) {
        return controllers.contains(controller);
    }
}
