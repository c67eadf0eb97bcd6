package io.isola.ns.cgroup;

import io.isola.spi.support.CgroupDelegation;
import io.isola.spi.support.HostIdentity;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Picks the driver for this host from what is mounted, never from assumptions. */
final class CgroupDrivers {

    private CgroupDrivers() {}

    static CgroupDriver detect(CgroupMounts mounts, HostCpus cpus) {
        HostIdentity host = HostIdentity.current();
        if (!host.isRoot()) {
            // a user's cgroups live in the subtree root delegated to it; no BPF device filter there
            // (it takes CAP_BPF): the device nodes of a rootless container are the host's, bound
            CgroupDelegation delegation = CgroupDelegation.find(host.uid())
                    .orElseThrow(() -> new IllegalStateException(
                            "uid " + host.uid() + " has no cgroup v2 subtree delegated to it that this process runs in"
                                    + " (systemd's user@" + host.uid()
                                    + ".service with Delegate=yes): no cgroups when not root"));
            return new CgroupV2Driver(delegation.directory(), cpus, DeviceFilter.NONE);
        }
        Path root = CgroupMounts.DEFAULT_ROOT;
        List<Hierarchy> v1 =
                mounts.hierarchies().stream().filter(h -> !h.unified()).toList();
        Optional<Hierarchy> v2 =
                mounts.hierarchies().stream().filter(Hierarchy::unified).findFirst();
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
        throw new IllegalStateException(
                "no cgroup hierarchy is mounted on this host (neither v1 nor v2 under " + root + ")");
    }
}
