package io.isola.api;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a container's cgroup is, recorded so that another process (a later CLI command) can reach
 * it by container id: the driver that made it, its path relative to each hierarchy's root
 * ({@code isola/<id>}), and its directory in each hierarchy, keyed by the hierarchy's controllers
 * ({@code memory}, {@code cpu,cpuacct}, {@code unified}). The directories are informative; the
 * cgroup isolator derives them again from {@code path} with its own driver.
 */
public record CgroupLocation(String driver, String path, Map<String, String> dirs) {

    public CgroupLocation {
        dirs = Collections.unmodifiableMap(dirs == null ? new TreeMap<>() : new TreeMap<>(dirs));
    }
}
