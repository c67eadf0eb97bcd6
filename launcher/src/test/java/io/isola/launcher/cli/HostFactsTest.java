package io.isola.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostFactsTest {

    @Test
    void theCgroupLayoutIsToldFromTheMounts() {
        assertEquals(
                HostFacts.CgroupLayout.V2, HostFacts.cgroupLayout(List.of("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0")));
        assertEquals(
                HostFacts.CgroupLayout.HYBRID,
                HostFacts.cgroupLayout(List.of(
                        "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0",
                        "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0")));
        assertEquals(
                HostFacts.CgroupLayout.V1,
                HostFacts.cgroupLayout(List.of("cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0")));
        assertEquals(HostFacts.CgroupLayout.NONE, HostFacts.cgroupLayout(List.of("proc /proc proc rw 0 0")));
        assertEquals("2", HostFacts.CgroupLayout.V2.dockerVersion());
        assertEquals("1", HostFacts.CgroupLayout.HYBRID.dockerVersion());
    }

    @Test
    void sizesAndDurationsAsDockerWordsThem() {
        assertEquals("0B", ByteSizes.human(0));
        assertEquals("999B", ByteSizes.human(999));
        assertEquals("1.5kB", ByteSizes.human(1500));
        assertEquals("25.3GB", ByteSizes.human(25_300_000_000L));
        assertEquals("Less than a second", Durations.human(Duration.ofMillis(500)));
        assertEquals("About a minute", Durations.human(Duration.ofSeconds(90)));
        assertEquals("5 minutes", Durations.human(Duration.ofMinutes(5)));
        assertEquals("3 days", Durations.human(Duration.ofDays(3)));
    }
}
