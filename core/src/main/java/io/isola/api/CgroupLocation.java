package io.isola.api;

import java.util.Map;

/**
 * Where a container's cgroup is, recorded so that another process (a later CLI command) can reach
 * it by container id: the driver that made it, its path relative to each hierarchy's root
 * ({@code isola/<id>}), and its directory in each hierarchy, keyed by the hierarchy's controllers
 * ({@code memory}, {@code cpu,cpuacct}, {@code unified}). The directories are informative; the
 * cgroup isolator derives them again from {@code path} with its own driver.
 */
public record CgroupLocation(String driver, String path, Map<String, String> dirs) {

    public CgroupLocation {
        dirs = java.util.Collections.unmodifiableMap(
                dirs == null ? new java.util.TreeMap<>() : new java.util.TreeMap<>(dirs));
    }
}
