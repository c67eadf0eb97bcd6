package io.isola.ns.cgroup;

import static io.isola.ns.cgroup.CgroupV2DriverTest.fakeCgroupfs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.CgroupTuning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCI's settings beyond Docker's limits against directories laid out like cgroupfs, for the
 * layouts this hybrid host cannot show for real: a pure cgroup v2 host (what runc ignores there is
 * ignored, what v2 has is written after its controller is enabled on the way down), and the
 * refusals of a hybrid one.
 */
class TuningFilesTest {

    private static void assumeHugePages() {
        assumeTrue(
                Files.isDirectory(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB")),
                "this kernel has no 2 MB huge pages");
    }

    @Test
    void onPureV2WhatV2DroppedIsIgnoredAndTheRestIsWrittenWithItsControllerEnabled(@TempDir Path root)
            throws IOException {
        assumeHugePages();
        Path leaf = fakeCgroupfs(root, "cpu memory hugetlb", "pod", "c1");
        for (String file : List.of("hugetlb.2MB.max", "cpu.idle", "memory.low")) {
            Files.writeString(leaf.resolve(file), "");
        }
        HostLayout layout = new HostLayout(List.of(), Optional.of(root), Set.of("cpu", "memory", "hugetlb"));
        CgroupTuning tuning = CgroupTuning.builder()
                .memorySwappiness(10)
                .oomKillDisabled(true)
                .netClassId(7)
                .netPriority("eth0", 3)
                .kernelTcp(1 << 20)
                .hugepageLimit("2MB", 4 << 20)
                .cpuIdle(1)
                .unified("memory.low", "1048576")
                .build();

        TuningFiles.check(layout, tuning);
        TuningFiles.write(layout, "pod/c1", tuning);

        assertEquals("4194304", CgroupTesting.read(leaf.resolve("hugetlb.2MB.max")));
        assertEquals("1", CgroupTesting.read(leaf.resolve("cpu.idle")));
        assertEquals("1048576", CgroupTesting.read(leaf.resolve("memory.low")));
        TuningFiles.write(
                layout,
                "pod/c1",
                CgroupTuning.builder().hugepageLimit("2MB", 2 << 20).build());
        assertEquals("+hugetlb", CgroupTesting.read(root.resolve("cgroup.subtree_control")), "the root enables it");
        assertEquals(
                "+hugetlb", CgroupTesting.read(root.resolve("pod/cgroup.subtree_control")), "the parent enables it");
        assertEquals("", CgroupTesting.read(leaf.resolve("cgroup.subtree_control")), "the leaf enables nothing");
        assertFalse(Files.exists(leaf.resolve("memory.swappiness")), "swappiness is not cgroup v2's");
        assertFalse(Files.exists(leaf.resolve("net_cls.classid")), "net_cls is not cgroup v2's");
    }

    @Test
    void onPureV2RealTimeAndAMissingUnifiedFileAreRefused(@TempDir Path root) throws IOException {
        fakeCgroupfs(root, "cpu memory", "pod", "c1");
        HostLayout layout = new HostLayout(List.of(), Optional.of(root), Set.of("cpu", "memory"));

        IllegalArgumentException realtime = assertThrows(
                IllegalArgumentException.class,
                () -> TuningFiles.check(
                        layout, CgroupTuning.builder().realtime(1000L, null).build()));
        assertTrue(
                realtime.getMessage().contains("real-time")
                        && realtime.getMessage().contains("cgroup v2 only"),
                realtime.getMessage());
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> TuningFiles.write(
                        layout,
                        "pod/c1",
                        CgroupTuning.builder().unified("memory.nosuch", "1").build()));
        assertTrue(
                missing.getMessage().contains("memory.nosuch")
                        && missing.getMessage().contains("no such file"),
                missing.getMessage());
        IllegalArgumentException absent = assertThrows(
                IllegalArgumentException.class,
                () -> TuningFiles.check(
                        layout,
                        CgroupTuning.builder().unified("io.max", "8:0 rbps=1").build()));
        assertTrue(absent.getMessage().contains("no io controller"), absent.getMessage());
    }

    @Test
    void onHybridAV1ControllerIsNotUnifiedsAndAnUnmountedOneIsNamedWithTheLayout(@TempDir Path root)
            throws IOException {
        Path memory = Files.createDirectories(root.resolve("memory"));
        Path unified = Files.createDirectories(root.resolve("unified"));
        HostLayout layout = new HostLayout(
                List.of(new Hierarchy(memory, false, Set.of("memory"), "memory")),
                Optional.of(unified),
                Set.of("hugetlb"));

        IllegalArgumentException high = assertThrows(
                IllegalArgumentException.class,
                () -> TuningFiles.check(
                        layout,
                        CgroupTuning.builder().unified("memory.high", "1").build()));
        assertTrue(high.getMessage().contains("memory controller on cgroup v1"), high.getMessage());
        IllegalArgumentException classId = assertThrows(
                IllegalArgumentException.class,
                () -> TuningFiles.check(
                        layout, CgroupTuning.builder().netClassId(7).build()));
        assertEquals(
                "linux.resources.network.classID: this host has no net_cls controller (neither a cgroup v1 hierarchy"
                        + " nor in cgroup v2); its layout: hybrid (cgroup v1 hierarchies for memory; cgroup2 at "
                        + unified
                        + " with hugetlb)",
                classId.getMessage());
    }
}
