package io.isola.ns.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Picks the driver for this host from what is mounted, never from assumptions. */
final class CgroupDrivers {

    private CgroupDrivers() {}

    static CgroupDriver detect(CgroupMounts mounts, HostCpus cpus) {
        Path root = CgroupMounts.DEFAULT_ROOT;
        List<Hierarchy> v1 = mounts.hierarchies().stream().filter(h -> !h.unified()).toList();
        Optional<Hierarchy> v2 = mounts.hierarchies().stream().filter(Hierarchy::unified).findFirst();
        if (mounts.fsType(root).filter("cgroup2"::equals).isPresent()) {
            return new CgroupV2Driver(root, cpus);
        }
        if (!v1.isEmpty()) {
            // hybrid: the cgroup2 hierarchy beside the v1 ones is joined too, but holds no limits
            return new CgroupV1Driver(v1, v2.filter(h -> h.mountPoint().startsWith(root)), cpus);
        }
        if (v2.isPresent()) {
            return new CgroupV2Driver(v2.get().mountPoint(), cpus);
        }
        throw new IllegalStateException("no cgroup hierarchy is mounted on this host (neither v1 nor v2 under " + root + ")");
    }
}
