package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Resources;
import io.isola.testing.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CgroupNamespaceTest {

    private final Isola isola = CgroupTesting.runtime();

    @AfterEach
    void tearDown() throws Exception {
        isola.close();
        assertEquals(java.util.List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
    }

    @Test
    void insideTheContainersOwnCgroupIsTheRoot() throws Exception {
        Outcome outcome = Outcome.of(isola, ContainerSpec.builder("cat", "/proc/self/cgroup").build());
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        System.out.println(outcome.out());
        for (String line : outcome.out().split("\n")) {
            assertTrue(line.endsWith(":/"), "not the root: " + line);
        }
    }

    @Test
    void sysFsCgroupShowsOnlyTheContainersSubtreeReadOnly() throws Exception {
        Outcome outcome = Outcome.of(isola, ContainerSpec.builder("sh", "-c",
                "ls /sys/fs/cgroup; echo ---; ls /sys/fs/cgroup/memory | grep -v '^memory\\.\\|^cgroup\\.\\|^tasks$\\|notify_on_release'; echo ---;"
                + " cat /sys/fs/cgroup/memory/memory.limit_in_bytes; mkdir /sys/fs/cgroup/memory/x 2>&1; touch /sys/fs/cgroup/x 2>&1; true")
                .with(Resources.builder().memory("32m").build()).build());
        System.out.println(outcome.out() + outcome.err());
    }
}
