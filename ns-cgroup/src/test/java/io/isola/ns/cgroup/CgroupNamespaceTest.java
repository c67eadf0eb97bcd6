package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Resources;
import io.isola.api.SharedNamespaces;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CgroupNamespaceTest {

    private final Isola isola = CgroupTesting.runtime();

    @AfterEach
    void tearDown() throws Exception {
        isola.close();
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
    }

    @Test
    void insideTheContainersOwnCgroupIsTheRoot() throws Exception {
        Outcome outcome = Outcome.of(
                isola, ContainerSpec.builder("cat", "/proc/self/cgroup").build());
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        System.out.println(outcome.out());
        for (String line : outcome.out().split("\n")) {
            assertTrue(line.endsWith(":/"), "not the root: " + line);
        }
    }

    @Test
    void sysFsCgroupShowsOnlyTheContainersSubtreeReadOnly() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "ls /sys/fs/cgroup; echo ---; ls /sys/fs/cgroup/memory | grep -v '^memory\\.\\|^cgroup\\.\\|^tasks$\\|notify_on_release'; echo ---;"
                                        + " cat /sys/fs/cgroup/memory/memory.limit_in_bytes; mkdir /sys/fs/cgroup/memory/x 2>&1; touch /sys/fs/cgroup/x 2>&1; true")
                        .with(Resources.builder().memory("32m").build())
                        .build());
        System.out.println(outcome.out() + outcome.err());
    }

    /**
     * An OCI config that gives limits but lists no cgroup namespace: the container is in its own
     * cgroup, limited, while its cgroup namespace is the runtime's (so /proc/self/cgroup shows the
     * cgroup's whole path, as under runc).
     */
    @Test
    void limitsWithTheRuntimesCgroupNamespace() throws Exception {
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder(
                                "sh",
                                "-c",
                                "readlink /proc/self/ns/cgroup; p=$(grep -E '^[0-9]+:pids:' /proc/self/cgroup | cut -d: -f3); d=/sys/fs/cgroup/pids;"
                                        + " if [ -z \"$p\" ]; then p=$(grep '^0::' /proc/self/cgroup | cut -d: -f3); d=/sys/fs/cgroup; fi;"
                                        + " echo $p; cat $d$p/pids.max")
                        .id("shared-cgroupns")
                        .with(Resources.builder().pidsLimit(42).build())
                        .with(new SharedNamespaces(Set.of("cgroup")))
                        .build());

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        String[] lines = outcome.out().split("\n");
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/cgroup")).toString(), lines[0]);
        assertTrue(lines[1].endsWith("/" + CgroupTesting.PARENT + "/shared-cgroupns"), outcome.out());
        assertEquals("42", lines[2]);
    }
}
