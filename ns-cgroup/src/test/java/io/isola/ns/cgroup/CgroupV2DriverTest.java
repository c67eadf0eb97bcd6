package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Devices;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.ResourceControl;
import io.isola.api.ResourceStats;
import io.isola.api.Resources;
import io.isola.testing.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v2 driver, on a cgroup2 hierarchy this test mounts itself. On a hybrid host that is the same
 * unified hierarchy as {@code /sys/fs/cgroup/unified}, whose controllers are bound to v1 (only
 * hugetlb can be enabled), so the real-kernel part covers what v2 does without controllers
 * (joining, namespace, freeze, cgroup.kill, removal); the limits are checked against a directory
 * laid out like cgroupfs.
 */
class CgroupV2DriverTest {

    @RegisterExtension
    static final Cgroup2Mount CGROUP2 = new Cgroup2Mount();

    @BeforeAll
    static void showControllers() throws Exception {
        System.out.println("cgroup2 mounted at " + CGROUP2.path() + ", controllers: "
                + CgroupTesting.read(CGROUP2.path().resolve("cgroup.controllers")));
    }

    private static CgroupV2Driver driver() {
        return new CgroupV2Driver(CGROUP2.path(), HostCpus.ofThisHost());
    }

    @Test
    void theContainerRunsInItsOwnV2CgroupAndSeesItAsTheRoot() throws Exception {
        try (Isola isola = CgroupTesting.runtime(new CgroupIsolator(CgroupTesting.PARENT, driver()))) {
            Outcome outcome = Outcome.of(
                    isola,
                    ContainerSpec.builder(
                                    "sh",
                                    "-c",
                                    "grep '^0::' /proc/self/cgroup; ls /sys/fs/cgroup | grep -c '^cgroup.procs$'; cat /sys/fs/cgroup/cgroup.procs | wc -l; touch /sys/fs/cgroup/x 2>&1 | grep -c Read-only")
                            .build());
            assertEquals(0, outcome.status().exitCode(), outcome.err());
            // its own cgroup as /, a cgroup2 mount of it, holding only the container's processes, read-only
            String[] lines = outcome.out().split("\n");
            assertEquals("0::/", lines[0]);
            assertEquals("1", lines[1]);
            assertTrue(Integer.parseInt(lines[2].trim()) <= 3, "only the container's processes: " + lines[2]);
            assertEquals("1", lines[3]);
        }
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
        assertFalse(Files.exists(CGROUP2.path().resolve(CgroupTesting.PARENT)));
    }

    @Test
    void freezeThawStatsAndKillWorkThroughTheV2Files() throws Exception {
        try (Isola isola = CgroupTesting.runtime(new CgroupIsolator(CgroupTesting.PARENT, driver()))) {
            Container container = isola.start(ContainerSpec.builder("sh", "-c", "sleep 60 & while :; do :; done")
                    .build());
            Path dir = CGROUP2.path().resolve(CgroupTesting.PARENT).resolve(container.id());
            ResourceControl control = container.facet(ResourceControl.class).orElseThrow();
            Thread.sleep(200);
            control.pause();
            assertEquals("1", CgroupTesting.read(dir.resolve("cgroup.freeze")));
            assertTrue(control.paused());
            Duration frozenAt = control.stats().cpuTime();
            Thread.sleep(300);
            assertEquals(frozenAt, control.stats().cpuTime(), "no CPU time while frozen");
            control.resume();
            Thread.sleep(300);
            ResourceStats stats = control.stats();
            assertTrue(stats.cpuTime().compareTo(frozenAt) > 0, "CPU time again after thaw");
            assertEquals(2, stats.pids(), "sh and sleep (no pids controller: counted from cgroup.threads)");
            control.pause();
            container.close(); // paused, with an orphan-to-be: cgroup.kill empties it
            assertEquals(ExitStatus.killed(9), container.waitFor());
            assertFalse(Files.exists(dir));
        }
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
        assertFalse(Files.exists(CGROUP2.path().resolve(CgroupTesting.PARENT)));
    }

    @Test
    void limitsAreWrittenToTheV2FilesOfAHierarchyLaidOutLikeCgroupfs(@TempDir Path root) throws IOException {
        Path leaf = fakeCgroupfs(root, "cpu cpuset memory pids", "isola", "abc");
        CgroupV2Driver fake = new CgroupV2Driver(root, new HostCpus(bits(0, 1)));
        Resources limits = Resources.builder()
                .memory("32m")
                .cpus("0.5")
                .cpuShares(512)
                .cpusetCpus("1")
                .pidsLimit(20)
                .build();
        fake.check(limits);
        Cgroup cgroup = fake.create("isola/abc", limits);

        assertEquals("33554432", CgroupTesting.read(leaf.resolve("memory.max")));
        assertEquals("33554432", CgroupTesting.read(leaf.resolve("memory.swap.max")), "Docker: swap as much as memory");
        assertEquals("50000 100000", CgroupTesting.read(leaf.resolve("cpu.max")));
        assertEquals("59", CgroupTesting.read(leaf.resolve("cpu.weight")), "512 shares on newer runc's curve");
        assertEquals("1", CgroupTesting.read(leaf.resolve("cpuset.cpus")));
        assertEquals("20", CgroupTesting.read(leaf.resolve("pids.max")));
        // controllers are enabled in every ancestor, never in the leaf (no internal processes)
        assertEquals("+pids", CgroupTesting.read(root.resolve("cgroup.subtree_control")));
        assertEquals("+pids", CgroupTesting.read(root.resolve("isola/cgroup.subtree_control")));
        assertEquals("", CgroupTesting.read(leaf.resolve("cgroup.subtree_control")));

        cgroup.join(4242);
        assertEquals("4242", CgroupTesting.read(leaf.resolve("cgroup.procs")));
        Files.writeString(leaf.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
        assertEquals(1, cgroup.oomKills());
        Files.writeString(leaf.resolve("memory.current"), "1234\n");
        Files.writeString(leaf.resolve("cpu.stat"), "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
        Files.writeString(leaf.resolve("pids.current"), "3\n");
        ResourceStats stats = cgroup.stats();
        assertEquals(
                new ResourceStats(
                        1234,
                        OptionalLong.of(32 << 20),
                        Duration.ofMillis(1).plusNanos(500_000),
                        3,
                        OptionalLong.of(20),
                        Map.of("low", 0L, "high", 0L, "max", 12L, "oom", 1L, "oom_kill", 1L),
                        Map.of()),
                stats);
        Files.writeString(leaf.resolve("cgroup.events"), "populated 1\nfrozen 1\n");
        cgroup.freeze();
        assertEquals("1", CgroupTesting.read(leaf.resolve("cgroup.freeze")));
        assertTrue(cgroup.frozen());
    }

    @Test
    void aLimitWithoutItsControllerIsRefusedAndSwapWithoutAccountingToo(@TempDir Path root) throws IOException {
        Path leaf = fakeCgroupfs(root, "memory pids", "isola", "abc");
        Files.delete(leaf.resolve("memory.swap.max"));
        CgroupV2Driver fake = new CgroupV2Driver(root, new HostCpus(bits(0, 1)));
        IllegalArgumentException e = Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> fake.check(Resources.builder().cpus("1").build()));
        assertEquals(
                "cpus limit: the cgroup v2 hierarchy at " + root + " has no cpu controller (it offers: memory pids)",
                e.getMessage());
        IOException swap = Assertions.assertThrows(
                IOException.class,
                () -> fake.create(
                        "isola/abc",
                        Resources.builder().memory("32m").memorySwap("64m").build()));
        assertEquals("cannot limit swap: this kernel does not account swap (no memory.swap.max)", swap.getMessage());
        // without an explicit swap limit, a kernel without swap accounting is fine
        fakeCgroupfs(root, "memory pids", "isola", "abc");
        Files.delete(leaf.resolve("memory.swap.max"));
        fake.create("isola/abc", Resources.builder().memory("32m").build());
        assertEquals("33554432", CgroupTesting.read(leaf.resolve("memory.max")));
    }

    @Test
    void deviceRulesOfTheContainersOwnAreRefusedWithoutADeviceFilter(@TempDir Path root) throws IOException {
        fakeCgroupfs(root, "memory pids", "isola", "abc");
        CgroupV2Driver fake = new CgroupV2Driver(root, new HostCpus(bits(0, 1)), DeviceFilter.NONE);
        fake.checkDevices(null, false); // privileged: nothing to enforce
        fake.checkDevices(DeviceAccess.DEFAULTS, false); // the defaults: unenforced (CAP_MKNOD is dropped instead)
        assertFalse(fake.filtersDevices());
        List<Devices.Rule> own = new ArrayList<>(DeviceAccess.DEFAULTS);
        own.add(Devices.Rule.parse("b 7:0 rw"));
        IllegalArgumentException e =
                Assertions.assertThrows(IllegalArgumentException.class, () -> fake.checkDevices(own, true));
        assertEquals(
                "device rules [b 7:0 rw]: this kernel does not load a BPF device filter for isola, so device rules "
                        + "cannot be enforced on cgroup v2; drop them or run with --privileged",
                e.getMessage());
    }

    @Test
    void withADeviceFilterTheRulesGoToTheLeafBeforeAnyProcessJoins(@TempDir Path root) throws IOException {
        Path leaf = fakeCgroupfs(root, "memory pids", "isola", "abc");
        List<String> attached = new ArrayList<>();
        DeviceFilter recording = new DeviceFilter() {
            @Override
            public boolean supported() {
                return true;
            }

            @Override
            public void attach(Path cgroup, List<Devices.Rule> rules) {
                attached.add(cgroup + " "
                        + rules.stream().map(Devices.Rule::line).toList() + " procs="
                        + CgroupTesting.readQuietly(cgroup.resolve("cgroup.procs")));
            }
        };
        CgroupV2Driver fake = new CgroupV2Driver(root, new HostCpus(bits(0, 1)), recording);
        List<Devices.Rule> own = new ArrayList<>(DeviceAccess.DEFAULTS.subList(0, 3));
        own.add(Devices.Rule.parse("b 7:0 rw"));
        fake.checkDevices(own, true);
        assertTrue(fake.filtersDevices());
        fake.create("isola/abc", Resources.builder().build(), own);
        assertEquals(List.of(leaf + " [c *:* m, b *:* m, c 1:3 rwm, b 7:0 rw] procs="), attached);
        fake.create("isola/abc", Resources.builder().build(), null);
        assertEquals(1, attached.size(), "privileged: no filter");
    }

    @Test
    void aDeviceNumberTheFilterCannotHoldIsRefusedBeforeAnythingIsCreated(@TempDir Path root) throws IOException {
        assumeTrue(DeviceFilter.KERNEL.supported(), "this kernel does not load a BPF device filter for us");
        fakeCgroupfs(root, "memory pids");
        CgroupV2Driver v2 = new CgroupV2Driver(root, new HostCpus(bits(0, 1)));
        List<Devices.Rule> own = new ArrayList<>(DeviceAccess.DEFAULTS);
        own.add(new Devices.Rule(true, 'b', 5_000_000_000L, 0, "r"));
        IllegalArgumentException e =
                Assertions.assertThrows(IllegalArgumentException.class, () -> v2.checkDevices(own, true));
        assertEquals(
                "device rule \"b 5000000000:0 r\": device number 5000000000 is over 4294967295, the largest the kernel has",
                e.getMessage());
    }

    /** A directory tree with the files cgroupfs would have; the leaf exists, empty of processes. */
    static Path fakeCgroupfs(Path root, String controllers, String... path) throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        Path dir = root;
        for (String segment : path) {
            dir = dir.resolve(segment);
            Files.createDirectories(dir);
            for (String file : List.of(
                    "cgroup.subtree_control",
                    "cgroup.procs",
                    "cgroup.freeze",
                    "memory.max",
                    "memory.swap.max",
                    "cpu.max",
                    "cpu.weight",
                    "cpuset.cpus",
                    "pids.max",
                    "memory.high",
                    "memory.oom.group",
                    "io.max",
                    "io.weight")) {
                Files.writeString(dir.resolve(file), "");
            }
        }
        return dir;
    }

    static BitSet bits(int... cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            set.set(cpu);
        }
        return set;
    }
}
