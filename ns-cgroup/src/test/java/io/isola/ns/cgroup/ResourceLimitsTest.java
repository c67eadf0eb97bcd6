package io.isola.ns.cgroup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
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
import org.junit.jupiter.api.io.TempDir;

/** The limits, on the real kernel with this host's driver. */
class ResourceLimitsTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

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

    private static ResourceControl control(Container container) {
        return container.facet(ResourceControl.class).orElseThrow();
    }

    @Test
    void aProcessAllocatingPastTheMemoryLimitIsOomKilledAndReportedAsSuch() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "needs perl (Debian's perl-base) to allocate memory");
        Resources limit = Resources.builder().memory("32m").build();
        try (Container container =
                isola.start(spec(limit, "perl", "-e", "$x = 'a' x (64 << 20); print qq(survived\\n)"))) {
            ExitStatus status = container.waitFor(LIMIT).orElseThrow();
            String out = new String(container.stdout().readAllBytes(), UTF_8);
            assertEquals(ExitStatus.killed(9), status, out);
            assertEquals("", out);
            assertTrue(control(container).oomKilled(), "the kill is reported as OOM");
            assertEquals(137, status.shellCode());
        }
    }

    @Test
    void aProcessUnderTheMemoryLimitRunsAndIsNotReportedAsOom() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "needs perl (Debian's perl-base) to allocate memory");
        Resources limit = Resources.builder().memory("32m").build();
        try (Container container =
                isola.start(spec(limit, "perl", "-e", "$x = 'a' x (8 << 20); print qq(survived\\n)"))) {
            ExitStatus status = container.waitFor(LIMIT).orElseThrow();
            assertEquals("survived\n", new String(container.stdout().readAllBytes(), UTF_8));
            assertEquals(ExitStatus.exited(0), status);
            assertFalse(control(container).oomKilled());
        }
    }

    @Test
    void aForkLoopCannotExceedThePidsLimitAndStaysKillable() throws Exception {
        Resources limit = Resources.builder().pidsLimit(20).build();
        // 50 sleepers wanted; the 20th process onwards cannot be forked
        try (Container container =
                isola.start(spec(limit, "sh", "-c", "for i in $(seq 1 50); do sleep 60 & done; echo forked; wait"))) {
            ResourceControl control = control(container);
            long most = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            ResourceStats stats;
            do {
                stats = control.stats();
                most = Math.max(most, stats.pids());
                Thread.sleep(20);
            } while (stats.pids() < 20 && System.nanoTime() < deadline);
            for (int i = 0; i < 25; i++) { // keep watching while the loop tries to fork more
                most = Math.max(most, control.stats().pids());
                Thread.sleep(20);
            }
            System.out.printf("pids limit 20: at most %d processes seen, limit reported %s%n", most, stats.pidsLimit());
            assertEquals(20, most, "the container reached, and never exceeded, its limit");
            assertEquals(20, stats.pidsLimit().orElseThrow());

            long start = System.nanoTime();
            container.close();
            System.out.printf("closed a container of 20 processes in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        }
        String err = "";
        assertTrue(CgroupTesting.leftovers(CgroupTesting.PARENT).isEmpty(), err);
    }

    @Test
    void halfACpuKeepsABusyLoopNearHalfACore() throws Exception {
        // the most weight, for the container and for the test's parent, so that a loaded host does
        // not starve the loop below its quota: what holds it back should be the quota alone
        Resources limit = Resources.builder().cpus("0.5").cpuShares(262144).build();
        try (Container container = isola.start(spec(limit, "sh", "-c", "while :; do :; done"))) {
            ResourceControl control = control(container);
            Path cpuStat = cpuStat(container.id());
            Path parent = cpuStat.getParent().getParent();
            if (Files.exists(parent.resolve("cpu.shares"))) {
                Files.writeString(parent.resolve("cpu.shares"), "262144");
            } else if (Files.exists(parent.resolve("cpu.weight"))) {
                Files.writeString(parent.resolve("cpu.weight"), "10000");
            }
            Thread.sleep(300); // past the start
            Duration before = control.stats().cpuTime();
            Map<String, Long> throttlingBefore = CgroupFiles.readKeyed(cpuStat);
            long start = System.nanoTime();
            Thread.sleep(4000);
            Duration after = control.stats().cpuTime();
            double cores = (double) after.minus(before).toNanos() / (System.nanoTime() - start);
            Map<String, Long> throttlingAfter = CgroupFiles.readKeyed(cpuStat);
            long periods = throttlingAfter.get("nr_periods") - throttlingBefore.get("nr_periods");
            long throttled = throttlingAfter.get("nr_throttled") - throttlingBefore.get("nr_throttled");
            System.out.printf(
                    "cpus 0.5: a busy loop used %.3f cores over 4 s, throttled in %d of %d periods (load %s)%n",
                    cores,
                    throttled,
                    periods,
                    Files.readString(Path.of("/proc/loadavg")).trim());
            assertTrue(cores < 0.7, "cores used: " + cores);
            if (cores <= 0.3) {
                // below the quota without being throttled: other processes took the CPU, not the limit
                assumeTrue(
                        throttled * 2 > periods,
                        "the host is too busy to measure: the loop got " + cores + " cores and was throttled in only "
                                + throttled + " of " + periods + " periods");
            }
            assertTrue(cores > 0.3, "cores used: " + cores);
        }
    }

    /** The cpu.stat with the CFS throttling counters of a container's cgroup, on either driver. */
    private static Path cpuStat(String id) {
        CgroupMounts mounts = CgroupMounts.ofThisProcess();
        Hierarchy cpu = mounts.hierarchies().stream()
                .filter(h -> mounts.fsType(CgroupMounts.DEFAULT_ROOT).orElse("").equals("cgroup2")
                        ? h.unified()
                        : h.has("cpu"))
                .findFirst()
                .orElseThrow();
        return cpu.mountPoint().resolve(CgroupTesting.PARENT).resolve(id).resolve("cpu.stat");
    }

    @Test
    void pauseStopsProgressAndResumeContinuesIt(@TempDir Path dir) throws Exception {
        Path counter = dir.resolve("counter");
        try (Container container = isola.start(spec(
                Resources.builder().build(),
                "sh",
                "-c",
                "i=0; while :; do i=$((i+1)); echo $i > " + counter + ".new; mv " + counter + ".new " + counter
                        + "; done"))) {
            ResourceControl control = control(container);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (count(counter) < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            control.pause();
            assertTrue(control.paused());
            long paused = Long.parseLong(Files.readString(counter).trim());
            Thread.sleep(500);
            long stillPaused = Long.parseLong(Files.readString(counter).trim());
            assertEquals(paused, stillPaused, "the counter did not advance while paused");
            control.resume();
            assertFalse(control.paused());
            Thread.sleep(500);
            long resumed = Long.parseLong(Files.readString(counter).trim());
            System.out.printf(
                    "pause: counter %d, after 500 ms paused %d, 500 ms after resume %d%n",
                    paused, stillPaused, resumed);
            assertTrue(resumed > stillPaused, "the counter advances after resume");

            control.pause(); // a paused container can still be closed
        }
    }

    private static long count(Path counter) throws IOException {
        return Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0;
    }

    @Test
    void statsReportMemoryCpuAndProcesses() throws Exception {
        Resources limit = Resources.builder().memory("64m").pidsLimit(50).build();
        try (Container container = isola.start(spec(limit, "sleep", "30"))) {
            ResourceStats stats = control(container).stats();
            System.out.println("stats of a sleeping container: " + stats);
            assertEquals(64L << 20, stats.memoryLimit().orElseThrow());
            assertTrue(stats.memoryUsage() > 0);
            assertEquals(1, stats.pids());
            assertEquals(50, stats.pidsLimit().orElseThrow());
            assertTrue(stats.cpuTime().toNanos() > 0);
        }
    }
}
