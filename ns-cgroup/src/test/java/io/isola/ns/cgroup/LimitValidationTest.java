package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Bad limits are refused with a clear message before anything is created. */
class LimitValidationTest {

    private final Isola isola = CgroupTesting.runtime();

    @AfterEach
    void tearDown() throws Exception {
        isola.close();
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT), "nothing was created");
    }

    @Test
    void aSizeWithAnUnknownUnitIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Resources.builder().memory("12q"));
        assertEquals(
                "memory limit \"12q\": expected a number with an optional unit b, k, m, g or t (such as 512m)",
                e.getMessage());
    }

    @Test
    void aNegativeCpuCountIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Resources.builder().cpus("-1"));
        assertEquals("cpus \"-1\": expected a number from 0.01 to 1024", e.getMessage());
    }

    @Test
    void cpusThisHostDoesNotHaveAreRefusedBeforeAnyCgroupIsCreated() {
        int cpus = HostCpus.ofThisHost().count();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(ContainerSpec.builder("true")
                        .with(Resources.builder().cpusetCpus("99").build())
                        .build()));
        System.out.println(e.getMessage());
        assertEquals(
                "cpuset cpus \"99\": CPU 99 does not exist; this host's online CPUs are "
                        + HostCpus.format(HostCpus.parseList("0-" + (cpus - 1))),
                e.getMessage());

        e = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(ContainerSpec.builder("true")
                        .with(Resources.builder()
                                .cpus(Integer.toString(cpus + 1))
                                .build())
                        .build()));
        assertEquals(
                "cpus " + (cpus + 1) + ": expected a number from 0.01 to " + cpus + ", as this host has " + cpus
                        + " CPUs",
                e.getMessage());
    }

    @Test
    void aLimitTheDriverCannotApplyIsRefusedBeforeAnyCgroupIsCreated() {
        // on this host the unified hierarchy beside the v1 ones has no memory controller
        Path unified = Path.of("/sys/fs/cgroup/unified");
        Assumptions.assumeTrue(
                Files.exists(unified.resolve("cgroup.controllers")),
                "needs the hybrid layout's cgroup2 mount at " + unified);
        CgroupV2Driver v2 = new CgroupV2Driver(unified, HostCpus.ofThisHost());
        Assumptions.assumeTrue(!v2.available().contains("memory"), "the unified hierarchy has a memory controller");
        try (Isola onV2 = CgroupTesting.runtime(new CgroupIsolator(CgroupTesting.PARENT, v2))) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> onV2.start(ContainerSpec.builder("true")
                            .with(Resources.builder().memory("32m").build())
                            .build()));
            System.out.println(e.getMessage());
            assertEquals(
                    true,
                    e.getMessage()
                            .startsWith(
                                    "memory limit: the cgroup v2 hierarchy at /sys/fs/cgroup/unified has no memory controller"));
        }
    }

    @Test
    void swapBelowMemoryIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Resources.builder().memory("64m").memorySwap("32m").build());
        assertEquals(
                "memory+swap limit 33554432 bytes: expected at least the memory limit (67108864 bytes)",
                e.getMessage());
    }

    @Test
    void aBadParentIsRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new CgroupIsolator("../etc", null));
        assertEquals(
                "parent \"../etc\": expected a relative path of names made of letters, digits, '_', '.' or '-' (such as isola)",
                e.getMessage());
    }
}
