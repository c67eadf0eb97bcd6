package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExecFailedException;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Resources;
import io.isola.api.StepFailedException;
import io.isola.spi.Isolation;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;
import io.isola.spi.NamespaceIsolator;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.testing.TestIsolator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** No container's cgroup outlives it, whether it ran, was killed, or never started. */
class CgroupCleanupTest {

    private static final Resources LIMITS = Resources.builder()
            .memory("64m")
            .cpus("1")
            .pidsLimit(100)
            .cpuShares(512)
            .build();

    private Isola isola;

    @AfterEach
    void tearDown() throws Exception {
        if (isola != null) {
            isola.close();
        }
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
    }

    @Test
    void noCgroupIsLeftAfterAHundredRuns() throws Exception {
        isola = CgroupTesting.runtime();
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertEquals(
                    ExitStatus.exited(0),
                    isola.run(ContainerSpec.builder("true").with(LIMITS).build()));
        }
        System.out.printf("100 runs with limits: %d ms each on average%n", (System.nanoTime() - start) / 100_000_000);
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
    }

    @Test
    void theParentIsMadeOnceAndKeptHoldingNothingOfItsContainers() throws Exception {
        CgroupIsolator cgroups = new CgroupIsolator(CgroupTesting.PARENT, null);
        isola = CgroupTesting.runtime(cgroups);
        assertEquals(
                ExitStatus.exited(0),
                isola.run(ContainerSpec.builder("true").with(LIMITS).build()));
        // kept for the next container, as Docker keeps its parent "docker": making it again (and
        // v1's cpuset of it) each run was most of what a container's cgroup cost to prepare
        List<Hierarchy> kept = CgroupTesting.hierarchiesWith(CgroupTesting.PARENT);
        assertEquals(
                CgroupMounts.ofThisProcess().hierarchies().stream()
                        .map(Hierarchy::mountPoint)
                        .filter(p -> p.startsWith("/sys/fs/cgroup"))
                        .toList(),
                kept.stream().map(Hierarchy::mountPoint).toList());
        for (Hierarchy h : kept) {
            Path parent = h.mountPoint().resolve(CgroupTesting.PARENT);
            try (Stream<Path> children = Files.list(parent)) {
                assertEquals(List.of(), children.filter(Files::isDirectory).toList(), "the container's cgroup is gone");
            }
            assertEquals("", CgroupTesting.read(parent.resolve("cgroup.procs")), "no process in the parent");
            if (h.has("cpuset")) {
                // made once with the host's CPUs and memory nodes, which the kernel copies into each new child
                assertEquals(
                        CgroupTesting.read(h.mountPoint().resolve("cpuset.cpus")),
                        CgroupTesting.read(parent.resolve("cpuset.cpus")));
                assertEquals(
                        CgroupTesting.read(h.mountPoint().resolve("cpuset.mems")),
                        CgroupTesting.read(parent.resolve("cpuset.mems")));
                assertEquals("1", CgroupTesting.read(parent.resolve("cgroup.clone_children")));
            }
        }
        assertEquals(
                ExitStatus.exited(0),
                isola.run(ContainerSpec.builder("true").with(LIMITS).build()),
                "the kept parent serves again");
    }

    @Test
    void containersStartingTogetherEachGetACgroupTheirProcessCanJoin() throws Exception {
        // every round starts with no parent directory: the containers race to make it (on cgroup
        // v1 a cpuset parent found half made gave a child no CPUs, and its process could not join)
        isola = CgroupTesting.runtime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<ExitStatus>> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    runs.add(pool.submit(() -> {
                        go.await();
                        return isola.run(ContainerSpec.builder("true").build());
                    }));
                }
                go.countDown();
                for (Future<ExitStatus> run : runs) {
                    assertEquals(ExitStatus.exited(0), run.get(60, TimeUnit.SECONDS));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void noCgroupIsLeftWhenTheCommandCannotBeExecuted() throws Exception {
        isola = CgroupTesting.runtime();
        assertThrows(
                ExecFailedException.class,
                () -> isola.start(ContainerSpec.builder("/nonexistent/command")
                        .with(LIMITS)
                        .build()));
    }

    @Test
    void noCgroupIsLeftWhenAChildStepFails() throws Exception {
        isola = CgroupTesting.runtime(
                new CgroupIsolator(CgroupTesting.PARENT, null),
                TestIsolator.withSteps(
                        "bad",
                        Namespace.UTS,
                        s -> s.add(
                                Phase.FILESYSTEM,
                                Steps.mount(
                                        "mount a file system that does not exist", "x", "/mnt", "nosuchfs", 0, null))));
        assertThrows(
                StepFailedException.class,
                () -> isola.start(ContainerSpec.builder("true").with(LIMITS).build()));
    }

    @Test
    void noCgroupIsLeftWhenAnotherIsolatorFailsAfterTheClone() throws Exception {
        isola = CgroupTesting.runtime(
                new CgroupIsolator(CgroupTesting.PARENT, null), TestIsolator.afterClone("bad", Namespace.NET, child -> {
                    throw new IllegalStateException("no network for you");
                }));
        IsolaException e = assertThrows(
                IsolaException.class,
                () -> isola.start(ContainerSpec.builder("true").with(LIMITS).build()));
        assertTrue(e.getMessage().contains("no network for you"), e.getMessage());
    }

    @Test
    void noCgroupIsLeftWhenAnIsolatorPreparedAfterItFails() throws Exception {
        NamespaceIsolator failing = new NamespaceIsolator() {
            @Override
            public String name() {
                return "mount";
            }

            @Override
            public Namespace namespace() {
                return Namespace.MOUNT; // prepared after the cgroup, in the kernel's order
            }

            @Override
            public Isolation prepare(IsolationRequest request) {
                assertTrue(
                        Files.isDirectory(Path.of("/sys/fs/cgroup/pids", CgroupTesting.PARENT, request.containerId()))
                                || !Files.isDirectory(Path.of("/sys/fs/cgroup/pids")),
                        "the cgroup exists by now");
                throw new IllegalArgumentException("bad mount option");
            }
        };
        isola = Isola.builder()
                .isolators(List.of(new CgroupIsolator(CgroupTesting.PARENT, null), failing))
                .build();
        assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(ContainerSpec.builder("true").with(LIMITS).build()));
    }

    @Test
    void aContainerWhoseProcessesOutliveItsFirstOneIsEmptiedAndRemoved() throws Exception {
        isola = CgroupTesting.runtime();
        // the orphans are reparented outside the container; only the cgroup knows they belong to it
        try (Container container = isola.start(ContainerSpec.builder("sh", "-c", "sleep 60 & sleep 60 & exit 3")
                .build())) {
            assertEquals(ExitStatus.exited(3), container.waitFor());
        }
    }

    @Test
    void aStaleEmptyCgroupOfTheSameIdIsReusedAndOneHoldingProcessesIsRefused() throws Exception {
        isola = CgroupTesting.runtime();
        try (Container running =
                isola.start(ContainerSpec.builder("sleep", "60").id("same-id").build())) {
            IsolaException e = assertThrows(
                    IsolaException.class,
                    () -> isola.start(
                            ContainerSpec.builder("true").id("same-id").build()));
            assertTrue(e.getMessage().contains("holds processes"), e.getMessage());
            assertTrue(
                    CgroupTesting.leftovers(CgroupTesting.PARENT).size() > 0, "the running container keeps its cgroup");
        }
    }

    @Test
    void cgroupsADeadHostLeftEmptyAreSweptAndThoseOfRunningContainersKept() throws Exception {
        CgroupIsolator cgroups = new CgroupIsolator(CgroupTesting.PARENT, null);
        isola = CgroupTesting.runtime(cgroups);
        CgroupDriver driver = cgroups.driver();
        // what a host that died after creating a cgroup, or after its container ended, leaves
        Cgroup left = driver.create(
                CgroupTesting.PARENT + "/left-by-a-dead-host",
                Resources.builder().pidsLimit(5).build());
        try (Container running =
                isola.start(ContainerSpec.builder("sleep", "60").build())) {
            Instant now = Instant.now();
            assertEquals(0, StaleCgroups.sweep(driver, CgroupTesting.PARENT, now), "too young to be stale");
            assertEquals(
                    1,
                    StaleCgroups.sweep(
                            driver,
                            CgroupTesting.PARENT,
                            now.plus(StaleCgroups.MIN_AGE).plusSeconds(1)));
            List<Path> remaining = CgroupTesting.leftovers(CgroupTesting.PARENT);
            assertTrue(remaining.stream().noneMatch(p -> p.endsWith("left-by-a-dead-host")), remaining::toString);
            assertTrue(
                    remaining.stream().anyMatch(p -> p.endsWith(running.id())),
                    "the running container keeps its cgroup");
            assertTrue(left.destroy(), "destroying again is harmless");
        }
    }
}
