package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.spi.Duty;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The cgroup isolator owns the container's /sys/fs/cgroup: the mount isolator reads this duty and
 * leaves that mount point to it (on a cgroup v2 host, the host's cgroup2 there and the one this
 * isolator mounts are one superblock, which the kernel refuses twice on one mount point).
 */
class CgroupfsOwnerTest {

    @Test
    void theCgroupIsolatorDeclaresItselfInChargeOfTheContainersCgroupfs() {
        assertEquals(Set.of(Duty.MOUNT_CGROUPFS), new CgroupIsolator().duties());
    }
}
