package io.isola.ns.cgroup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.IoThrottle;
import io.isola.api.Isola;
import io.isola.api.ResourceControl;
import io.isola.api.ResourceStats;
import io.isola.api.Resources;
import io.isola.api.Stdio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * --memory-reservation, the device I/O limits, --blkio-weight and PSI on the real kernel with this
 * host's driver (v1 on a hybrid host: soft limit and blkio.throttle.*; v2: memory.high and io.max).
 */
class ReservationAndBlockIoTest {

    private final Isola isola = CgroupTesting.runtime();

    @AfterEach
    void tearDown() throws Exception {
        isola.close();
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
    }

    private static ContainerSpec spec(Resources resources, String... command) {
        return ContainerSpec.builder(command)
                .with(resources)
                .stdout(Stdio.PIPE)
                .stderr(Stdio.PIPE)
                .build();
    }

    private static Map<String, String> dirs(Container container) {
        return container
                .facet(ResourceControl.class)
                .orElseThrow()
                .location()
                .orElseThrow()
                .dirs();
    }

    @Test
    void aMemoryReservationIsTheSoftLimitOnV1AndMemoryHighOnV2() throws Exception {
        Resources limits =
                Resources.builder().memory("128m").memoryReservation("64m").build();
        try (Container container = isola.start(spec(limits, "sleep", "30"))) {
            Map<String, String> dirs = dirs(container);
            Path file = dirs.containsKey("memory")
                    ? Path.of(dirs.get("memory"), "memory.soft_limit_in_bytes")
                    : Path.of(dirs.get("unified"), "memory.high");
            System.out.println("--memory-reservation 64m: " + file + " = " + CgroupTesting.read(file));
            assertEquals(Long.toString(64L << 20), CgroupTesting.read(file));
        }
    }

    /** The whole disk that holds {@code dir}, as its /dev node: the throttles take disks, not partitions. */
    private static Path diskOf(Path dir) throws IOException {
        long dev = ((Number) Files.getAttribute(dir, "unix:dev")).longValue();
        Path sys = Path.of("/sys/dev/block", ((dev >>> 8) & 0xfff) + ":" + (dev & 0xff));
        assumeTrue(Files.exists(sys), dir + " is on no block device (" + dev + "), so there is nothing to throttle");
        Path real = sys.toRealPath();
        if (Files.exists(real.resolve("partition"))) {
            real = real.getParent();
        }
        Path node = Path.of("/dev", real.getFileName().toString());
        assumeTrue(Files.exists(node), "no device node " + node);
        return node;
    }

    @Test
    void aReadRateLimitSlowsDirectReadsOfTheDiskAndIsInTheCgroupsFiles() throws Exception {
        Path tmp = Files.createTempDirectory(Path.of("/var/tmp"), "isola-throttle");
        try {
            Path disk = diskOf(tmp);
            Path data = tmp.resolve("data");
            Files.write(data, new byte[4 << 20]);
            new ProcessBuilder("sync").start().waitFor();
            Resources limits = Resources.builder()
                    .ioThrottle(IoThrottle.parse(IoThrottle.Kind.READ_BPS, disk + ":1mb"))
                    .ioThrottle(IoThrottle.parse(IoThrottle.Kind.WRITE_BPS, disk + ":2mb"))
                    .ioThrottle(IoThrottle.parse(IoThrottle.Kind.READ_IOPS, disk + ":1000"))
                    .ioThrottle(IoThrottle.parse(IoThrottle.Kind.WRITE_IOPS, disk + ":500"))
                    .build();
            String device = limits.ioThrottles().get(0).device();
            long start = System.nanoTime();
            // O_DIRECT: a read from the page cache would never reach the throttle
            try (Container container =
                    isola.start(spec(limits, "dd", "if=" + data, "of=/dev/null", "bs=256k", "iflag=direct"))) {
                Map<String, String> dirs = dirs(container);
                if (dirs.containsKey("blkio")) {
                    Path blkio = Path.of(dirs.get("blkio"));
                    assertEquals(
                            device + " 1048576", CgroupTesting.read(blkio.resolve("blkio.throttle.read_bps_device")));
                    assertEquals(
                            device + " 2097152", CgroupTesting.read(blkio.resolve("blkio.throttle.write_bps_device")));
                    assertEquals(
                            device + " 1000", CgroupTesting.read(blkio.resolve("blkio.throttle.read_iops_device")));
                    assertEquals(
                            device + " 500", CgroupTesting.read(blkio.resolve("blkio.throttle.write_iops_device")));
                } else {
                    assertTrue(CgroupTesting.read(Path.of(dirs.get("unified"), "io.max"))
                            .startsWith(device + " rbps=1048576 wbps=2097152 riops=1000 wiops=500"));
                }
                ExitStatus status = container.waitFor(Duration.ofSeconds(60)).orElseThrow();
                String err = new String(container.stderr().readAllBytes(), UTF_8);
                assertEquals(ExitStatus.exited(0), status, err);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(
                        "--device-read-bps %s:1mb: 4 MiB read with O_DIRECT in %.2f s (%s)%n",
                        disk, seconds, err.lines().reduce((a, b) -> b).orElse(""));
                // 4 MiB at 1 MiB/s: the first second's budget comes at once, the rest takes about 3 s
                assertTrue(seconds > 2.0, "read in " + seconds + " s, faster than the limit lets it");
            }
        } finally {
            try (var files = Files.list(tmp)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(tmp);
        }
    }

    @Test
    void aBlkioWeightIsRefusedByNameWhereTheSchedulerHasNoneAndWrittenWhereItHas() throws Exception {
        CgroupMounts mounts = CgroupMounts.ofThisProcess();
        var blkio = mounts.hierarchies().stream().filter(h -> h.has("blkio")).findFirst();
        assumeTrue(
                blkio.isPresent(), "no cgroup v1 blkio hierarchy here (a v2 host: the VM smoke test covers io.weight)");
        Resources weight = Resources.builder().blkioWeight(500).build();
        if (BlockIoFiles.v1WeightFile(blkio.get().mountPoint()).isEmpty()) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> isola.start(spec(weight, "true")));
            System.out.println("--blkio-weight 500 here: " + e.getMessage());
            assertEquals(
                    "blkio weight 500: this host's cgroup v1 blkio controller offers no weight (no blkio.weight nor "
                            + "blkio.bfq.weight: its disks' I/O scheduler has none; BFQ has one)",
                    e.getMessage());
            return;
        }
        try (Container container = isola.start(spec(weight, "sleep", "30"))) {
            Path dir = Path.of(dirs(container).get("blkio"));
            String file = BlockIoFiles.v1WeightFile(dir).orElseThrow();
            assertTrue(CgroupTesting.read(dir.resolve(file)).contains("500"), file);
        }
    }

    @Test
    void anOomKillGroupIsRefusedOnV1() {
        assumeTrue(
                CgroupMounts.ofThisProcess().hierarchies().stream().anyMatch(h -> h.has("memory")),
                "no cgroup v1 memory hierarchy: a v2 host writes memory.oom.group");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(spec(Resources.builder().oomKillGroup(true).build(), "true")));
        assertEquals(
                "oom kill group: cgroup v1 has no memory.oom.group, its OOM killer takes one process at a time; "
                        + "it needs a cgroup v2 host",
                e.getMessage());
    }

    @Test
    void statsCarryPressureFromTheContainersCgroup2Directory() throws Exception {
        try (Container container =
                isola.start(spec(Resources.builder().pidsLimit(10).build(), "sleep", "30"))) {
            Map<String, String> dirs = dirs(container);
            assumeTrue(
                    dirs.containsKey("unified") && Files.exists(Path.of(dirs.get("unified"), "cpu.pressure")),
                    "the container has no cgroup2 directory with PSI (a kernel without CONFIG_PSI, or psi=0)");
            ResourceStats stats =
                    container.facet(ResourceControl.class).orElseThrow().stats();
            System.out.println("pressure of a sleeping container: " + stats.pressure());
            assertEquals(
                    List.of("cpu", "memory", "io"), List.copyOf(stats.pressure().keySet()));
            assertTrue(stats.pressure().get("memory").full().isPresent());
        }
    }
}
