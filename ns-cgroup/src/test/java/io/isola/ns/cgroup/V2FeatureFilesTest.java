package io.isola.ns.cgroup;

import static io.isola.ns.cgroup.CgroupV2DriverTest.bits;
import static io.isola.ns.cgroup.CgroupV2DriverTest.fakeCgroupfs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.IoThrottle;
import io.isola.api.Pressure;
import io.isola.api.ResourceStats;
import io.isola.api.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cgroup v2's own files (memory.high, memory.oom.group, io.max, io.weight, memory.events, PSI),
 * against a directory laid out like cgroupfs: this hybrid host's cgroup2 hierarchy offers none of
 * the memory and io controllers, so the VM smoke test on a pure v2 kernel covers them for real.
 */
class V2FeatureFilesTest {

    private static final Resources ALL = Resources.builder()
            .memory("128m")
            .memoryReservation("64m")
            .oomKillGroup(true)
            .blkioWeight(500)
            .ioThrottle(new IoThrottle(IoThrottle.Kind.READ_BPS, 8, 0, 1 << 20))
            .ioThrottle(new IoThrottle(IoThrottle.Kind.WRITE_IOPS, 8, 0, 100))
            .ioThrottle(new IoThrottle(IoThrottle.Kind.WRITE_BPS, 254, 16, 2 << 20))
            .build();

    @Test
    void reservationOomGroupAndIoLimitsAreWrittenToTheirV2Files(@TempDir Path root) throws IOException {
        Path leaf = fakeCgroupfs(root, "cpu io memory pids", "isola", "abc");
        CgroupV2Driver v2 = new CgroupV2Driver(root, new HostCpus(bits(0, 1)));
        v2.check(ALL);
        v2.create("isola/abc", ALL);
        assertEquals("67108864", CgroupTesting.read(leaf.resolve("memory.high")));
        assertEquals("1", CgroupTesting.read(leaf.resolve("memory.oom.group")));
        // runc's 1 + (500 - 10) * 9999 / 990
        assertEquals("default 4950", CgroupTesting.read(leaf.resolve("io.weight")));
        // io.max takes a device a write; a fake file keeps the last, the kernel keeps each
        assertEquals("254:16 wbps=2097152", CgroupTesting.read(leaf.resolve("io.max")));
        assertEquals(Map.of("8:0", "rbps=1048576 wiops=100", "254:16", "wbps=2097152"), BlockIoFiles.ioMaxLines(ALL));
    }

    @Test
    void bfqsWeightFileIsPreferredWithTheWeightAsGiven(@TempDir Path root) throws IOException {
        Path leaf = fakeCgroupfs(root, "io", "isola", "abc");
        Files.writeString(leaf.resolve("io.bfq.weight"), "");
        new CgroupV2Driver(root, new HostCpus(bits(0, 1)))
                .create("isola/abc", Resources.builder().blkioWeight(300).build());
        assertEquals("300", CgroupTesting.read(leaf.resolve("io.bfq.weight")));
        assertEquals("", CgroupTesting.read(leaf.resolve("io.weight")));
    }

    @Test
    void aWeightWithoutAWeightFileAndLimitsWithoutTheirControllerAreRefused(@TempDir Path root) throws IOException {
        Path leaf = fakeCgroupfs(root, "io memory pids", "isola", "abc");
        Files.delete(leaf.resolve("io.weight"));
        CgroupV2Driver v2 = new CgroupV2Driver(root, new HostCpus(bits(0, 1)));
        IOException weight = assertThrows(
                IOException.class,
                () -> v2.create(
                        "isola/abc", Resources.builder().blkioWeight(300).build()));
        assertEquals(
                "blkio weight 300: the cgroup " + leaf
                        + " has no io.bfq.weight nor io.weight (the kernel's I/O schedulers" + " offer no weight)",
                weight.getMessage());

        fakeCgroupfs(root, "cpu pids");
        CgroupV2Driver noIo = new CgroupV2Driver(root, new HostCpus(bits(0, 1)));
        assertEquals(
                "device i/o limits: the cgroup v2 hierarchy at " + root + " has no io controller (it offers: cpu pids)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> noIo.check(Resources.builder()
                                        .ioThrottle(new IoThrottle(IoThrottle.Kind.READ_IOPS, 8, 0, 10))
                                        .build()))
                        .getMessage());
        assertEquals(
                "memory reservation: the cgroup v2 hierarchy at " + root
                        + " has no memory controller (it offers: cpu pids)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> noIo.check(Resources.builder()
                                        .memoryReservation("64m")
                                        .build()))
                        .getMessage());
        assertEquals(
                "oom kill group: the cgroup v2 hierarchy at " + root
                        + " has no memory controller (it offers: cpu pids)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> noIo.check(
                                        Resources.builder().oomKillGroup(true).build()))
                        .getMessage());
    }

    @Test
    void statsCarryMemoryEventsAndPressure(@TempDir Path root) throws IOException {
        Path leaf = fakeCgroupfs(root, "cpu memory pids", "isola", "abc");
        Cgroup cgroup = new CgroupV2Driver(root, new HostCpus(bits(0, 1)))
                .create("isola/abc", Resources.builder().build());
        Files.writeString(leaf.resolve("memory.current"), "4096\n");
        Files.writeString(leaf.resolve("memory.max"), "max\n");
        Files.writeString(leaf.resolve("cpu.stat"), "usage_usec 10\n");
        Files.writeString(leaf.resolve("memory.events"), "low 0\nhigh 7\nmax 3\noom 1\noom_kill 1\noom_group_kill 1\n");
        Files.writeString(
                leaf.resolve("memory.pressure"),
                "some avg10=1.50 avg60=0.25 avg300=0.00 total=123456\nfull avg10=0.75 avg60=0.00 avg300=0.00 total=6543\n");
        Files.writeString(leaf.resolve("cpu.pressure"), "some avg10=12.00 avg60=3.00 avg300=1.00 total=99\n");
        ResourceStats stats = cgroup.stats();
        assertEquals(
                List.of("low", "high", "max", "oom", "oom_kill", "oom_group_kill"),
                List.copyOf(stats.memoryEvents().keySet()),
                "in the kernel's order");
        assertEquals(7, stats.memoryEvents().get("high"));
        assertEquals(List.of("cpu", "memory"), List.copyOf(stats.pressure().keySet()), "io.pressure absent: left out");
        assertEquals(
                new Pressure(new Pressure.Line(1.5, 0.25, 0, 123456), Optional.of(new Pressure.Line(0.75, 0, 0, 6543))),
                stats.pressure().get("memory"));
        assertTrue(stats.pressure().get("cpu").full().isEmpty(), "a kernel before 5.13 gives cpu no full line");
    }

    @Test
    void aPressureFileOfAnUnknownShapeIsLeftOutNotFatal() {
        assertEquals(Optional.empty(), CgroupPressure.parse(List.of("some avg10=x avg60=0 avg300=0 total=1")));
        assertEquals(Optional.empty(), CgroupPressure.parse(List.of("")));
    }

    @Test
    void cpuSharesMapOntoWeightsWithTheDefaultsMatched() {
        // newer runc's curve; 1024 -> 100 is the point of it
        assertEquals(1, CpuQuota.weightOfShares(2));
        assertEquals(100, CpuQuota.weightOfShares(1024), "Docker's default shares is v2's default weight");
        assertEquals(59, CpuQuota.weightOfShares(512));
        assertEquals(174, CpuQuota.weightOfShares(2048));
        assertEquals(10000, CpuQuota.weightOfShares(262144));
        long previous = 0;
        for (long shares = 2; shares <= 262144; shares++) {
            long weight = CpuQuota.weightOfShares(shares);
            assertTrue(weight >= previous && weight >= 1 && weight <= 10000, shares + " shares: " + weight);
            previous = weight;
        }
    }

    @Test
    void blkioWeightsMapOntoIoWeightsAsRuncDoes() {
        assertEquals(1, BlockIoFiles.ioWeightOf(10));
        assertEquals(10000, BlockIoFiles.ioWeightOf(1000));
        assertEquals(4950, BlockIoFiles.ioWeightOf(500));
    }
}
