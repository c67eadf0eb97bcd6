package io.isola.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResourcesTest {

    @Test
    void sizesTakeDockersUnits() {
        assertEquals(32L << 20, Resources.parseSize("memory limit", "32m"));
        assertEquals(32L << 20, Resources.parseSize("memory limit", "32M"));
        assertEquals(32L << 20, Resources.parseSize("memory limit", "32MiB"));
        assertEquals(1536L << 20, Resources.parseSize("memory limit", "1.5g"));
        assertEquals(64L << 10, Resources.parseSize("memory limit", "64k"));
        assertEquals(1048576, Resources.parseSize("memory limit", "1048576"));
        assertEquals(100, Resources.parseSize("memory limit", "100b"));
        for (String bad : new String[] {"12q", "", "m", "-5m", "1,5g", "0x10"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Resources.parseSize("memory limit", bad));
            assertTrue(e.getMessage().startsWith("memory limit \"" + bad + "\": expected a number"), e.getMessage());
        }
    }

    @Test
    void eachLimitIsCheckedWhenSet() {
        assertEquals(
                "memory limit 1024 bytes: expected at least 6m (6291456 bytes)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Resources.builder().memory("1k"))
                        .getMessage());
        assertEquals(
                "cpus \"-1\": expected a number from 0.01 to 1024",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Resources.builder().cpus("-1"))
                        .getMessage());
        assertEquals(
                "cpus \"lots\": expected a positive number such as 0.5 or 2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Resources.builder().cpus("lots"))
                        .getMessage());
        assertEquals(
                "cpu shares 1: expected a number from 2 to 262144",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Resources.builder().cpuShares(1))
                        .getMessage());
        assertEquals(
                "cpuset cpus \"1-0\": range 1-0 ends before it starts",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Resources.builder().cpusetCpus("1-0"))
                        .getMessage());
        assertEquals(
                "cpuset cpus \"a\": expected CPU numbers and ranges such as 0-1,3",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Resources.builder().cpusetCpus("a"))
                        .getMessage());
        assertEquals(
                "pids limit 0: expected a positive number, or -1 for no limit",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Resources.builder().pidsLimit(0))
                        .getMessage());
        assertEquals(
                "memory+swap limit 67108864 bytes: needs a memory limit as well",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Resources.builder().memorySwap("64m").build())
                        .getMessage());
    }

    @Test
    void aSpecCarriesItsLimitsAsAnExtension() {
        Resources limits = Resources.builder()
                .memory("32m")
                .memorySwap("-1")
                .cpus("0.50")
                .pidsLimit(-1)
                .build();
        ContainerSpec spec = ContainerSpec.builder("true").with(limits).build();
        assertEquals(limits, spec.extension(Resources.class).orElseThrow());
        assertEquals("Resources[memory=33554432 memorySwap=-1 cpus=0.5 pidsLimit=-1]", limits.toString());
        assertTrue(Resources.builder().build().isEmpty());
    }
}
