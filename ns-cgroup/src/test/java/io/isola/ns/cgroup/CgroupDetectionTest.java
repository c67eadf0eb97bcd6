package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.ns.cgroup.CgroupDriver.CgroupfsMount;
import io.isola.spi.Step;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which driver a host gets, decided from mountinfo alone; no kernel needed. */
class CgroupDetectionTest {

    private static final HostCpus TWO = new HostCpus(CgroupV2DriverTest.bits(0, 1));

    /** This CI host: v1 controllers on a tmpfs, cgroup2 beside them at unified. */
    static final String HYBRID = """
            26 1 254:0 / / rw,relatime - ext4 /dev/vda rw
            30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;

    /** A systemd host with cgroup v2 only. */
    static final String UNIFIED = """
            26 1 254:0 / / rw,relatime - ext4 /dev/vda rw
            30 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            """;

    /** An older host with co-mounted controllers and no cgroup2. */
    static final String V1_COMOUNTED = """
            30 22 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,cpu,cpuacct
            34 30 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
            """;

    @Test
    void aHybridHostGetsTheV1DriverWhichAlsoJoinsTheUnifiedHierarchy() {
        CgroupMounts mounts = CgroupMounts.parse(HYBRID);
        assertEquals("tmpfs", mounts.fsType(Path.of("/sys/fs/cgroup")).orElseThrow());
        assertEquals(6, mounts.hierarchies().size());
        Hierarchy systemd = mounts.hierarchies().get(4);
        assertEquals(Set.of("name=systemd"), systemd.controllers());
        assertEquals("none,name=systemd", systemd.mountData());
        CgroupDriver driver = CgroupDrivers.detect(mounts, TWO);
        assertInstanceOf(CgroupV1Driver.class, driver);
        assertEquals("cgroup v1 (hybrid)", driver.name());
        assertEquals(
                List.of(
                        new CgroupfsMount("/sys/fs/cgroup", "tmpfs", "mode=755"),
                        new CgroupfsMount("/sys/fs/cgroup/cpu", "cgroup", "cpu"),
                        new CgroupfsMount("/sys/fs/cgroup/cpuacct", "cgroup", "cpuacct"),
                        new CgroupfsMount("/sys/fs/cgroup/memory", "cgroup", "memory"),
                        new CgroupfsMount("/sys/fs/cgroup/pids", "cgroup", "pids"),
                        new CgroupfsMount("/sys/fs/cgroup/systemd", "cgroup", "none,name=systemd"),
                        new CgroupfsMount("/sys/fs/cgroup/unified", "cgroup2", null)),
                driver.mounts());
    }

    @Test
    void aUnifiedHostGetsTheV2Driver() {
        CgroupDriver driver = CgroupDrivers.detect(CgroupMounts.parse(UNIFIED), TWO);
        assertInstanceOf(CgroupV2Driver.class, driver);
        assertEquals(Path.of("/sys/fs/cgroup"), ((CgroupV2Driver) driver).root());
        assertEquals(List.of(new CgroupfsMount("/sys/fs/cgroup", "cgroup2", null)), driver.mounts());
    }

    @Test
    void coMountedControllersAreOneHierarchy() {
        CgroupMounts mounts = CgroupMounts.parse(V1_COMOUNTED);
        assertEquals(Set.of("cpu", "cpuacct"), mounts.hierarchies().get(0).controllers());
        assertEquals("cpu,cpuacct", mounts.hierarchies().get(0).mountData());
        CgroupDriver driver = CgroupDrivers.detect(mounts, TWO);
        assertEquals("cgroup v1", driver.name());
        assertEquals("/sys/fs/cgroup/cpu,cpuacct", driver.mounts().get(1).target());
    }

    @Test
    void aHostWithoutCgroupsIsNamedAsSuch() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> CgroupDrivers.detect(CgroupMounts.parse("26 1 254:0 / / rw - ext4 /dev/vda rw\n"), TWO));
        assertEquals(
                "no cgroup hierarchy is mounted on this host (neither v1 nor v2 under /sys/fs/cgroup)", e.getMessage());
    }

    @Test
    void theCgroupfsIsMountedReadOnlyAndItsTmpfsMadeReadOnlyLast() {
        List<Step> steps = CgroupfsSteps.of(
                CgroupDrivers.detect(CgroupMounts.parse(HYBRID), TWO).mounts());
        List<String> described = steps.stream().map(Step::description).toList();
        assertEquals("mount a tmpfs on /sys/fs/cgroup", described.get(0));
        assertEquals("create directory /sys/fs/cgroup/cpu", described.get(1));
        assertEquals("mount cgroup (cpu) read-only on /sys/fs/cgroup/cpu", described.get(2));
        assertEquals("mount cgroup2 read-only on /sys/fs/cgroup/unified", described.get(described.size() - 2));
        assertEquals("make /sys/fs/cgroup read-only", described.get(described.size() - 1));
    }

    @Test
    void sharesBecomeWeightsAsRuncConvertsThem() {
        assertEquals(1, CpuQuota.weightOfShares(2));
        assertEquals(100, CpuQuota.weightOfShares(1024)); // newer runc's curve: the defaults meet
        assertEquals(10000, CpuQuota.weightOfShares(262144));
        assertEquals(new CpuQuota(50_000, 100_000), CpuQuota.of(new BigDecimal("0.5")));
        assertEquals(new CpuQuota(1_000, 100_000), CpuQuota.of(new BigDecimal("0.01")));
    }
}
