package io.isola.ns.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Capability;
import io.isola.api.CapabilitySets;
import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.api.Security;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 on a cgroup v2 host where the kernel will not load isola's BPF device filter: a default
 * container loses CAP_MKNOD (it could otherwise make a node of the host's disk and open it), a
 * privileged one keeps it, and where the devices are filtered (the v1 devices cgroup, or the BPF
 * filter on v2) nothing changes. Real kernel: the v2 part runs through the v2 driver on a cgroup2
 * hierarchy this test mounts itself, without the filter ({@link DeviceFilter#NONE}) or with it.
 */
class MknodFallbackTest {

    private static final long CAP_MKNOD_BIT = 1L << Capability.MKNOD.number();
    /** Prints the bounding and effective sets, then tries to make a loop device's node in the given directory. */
    private static final String PROBE =
            "grep -E '^Cap(Bnd|Eff):' /proc/self/status; mknod \"$1/b\" b 7 0 2>&1 && echo made";

    @RegisterExtension
    static final Cgroup2Mount CGROUP2 = new Cgroup2Mount();

    @TempDir
    Path dir;

    private static CgroupIsolator onV2() {
        return new CgroupIsolator(
                CgroupTesting.PARENT, new CgroupV2Driver(CGROUP2.path(), HostCpus.ofThisHost(), DeviceFilter.NONE));
    }

    /** Runs the probe; returns its lines: CapEff, CapBnd (in /proc/self/status's order), then mknod's outcome. */
    private List<String> probe(CgroupIsolator cgroups, Security security) throws Exception {
        try (Isola isola = CgroupTesting.runtime(cgroups)) {
            Outcome outcome = Outcome.of(
                    isola,
                    ContainerSpec.builder("sh", "-c", PROBE, "probe", dir.toString())
                            .with(security)
                            .build());
            List<String> lines = outcome.out().lines().toList();
            System.out.println("probe (" + (security.privileged() ? "privileged" : "default") + "): " + lines);
            assertEquals(3, lines.size(), outcome::toString);
            return lines;
        } finally {
            assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
            if (CGROUP2.path() != null) {
                assertFalse(Files.exists(CGROUP2.path().resolve(CgroupTesting.PARENT)));
            }
        }
    }

    private static boolean hasMknod(String capLine) {
        return (Long.parseUnsignedLong(
                                capLine.substring(capLine.indexOf(':') + 1).trim(), 16)
                        & CAP_MKNOD_BIT)
                != 0;
    }

    @Test
    void aDefaultContainerOnV2LosesMknodAfterExecve() throws Exception {
        List<String> lines = probe(onV2(), Security.defaults());
        assertTrue(lines.get(0).startsWith("CapEff:") && lines.get(1).startsWith("CapBnd:"), lines.toString());
        assertFalse(hasMknod(lines.get(0)), "effective set without CAP_MKNOD: " + lines);
        assertFalse(hasMknod(lines.get(1)), "bounding set without CAP_MKNOD: " + lines);
        assertTrue(lines.get(2).endsWith("Operation not permitted"), "mknod refused with EPERM: " + lines);
        assertFalse(Files.exists(dir.resolve("b")));
        // the rest of Docker's default set is still there (the runtime's own capset did not fail either)
        assertTrue(
                hasBit(lines.get(0), Capability.CHOWN) && hasBit(lines.get(0), Capability.NET_BIND_SERVICE),
                lines.toString());
    }

    @Test
    void aPrivilegedContainerOnV2KeepsMknod() throws Exception {
        List<String> lines = probe(onV2(), Security.builder().privileged(true).build());
        assertTrue(hasMknod(lines.get(0)) && hasMknod(lines.get(1)), lines.toString());
        assertEquals("made", lines.get(2), lines.toString());
    }

    @Test
    void whereTheV1DevicesCgroupFiltersADefaultContainerKeepsMknod() throws Exception {
        CgroupIsolator detected = new CgroupIsolator(CgroupTesting.PARENT, null);
        assumeTrue(
                detected.driver().filtersDevices(),
                "this host's cgroups do not filter devices (no v1 devices hierarchy)");
        List<String> lines = probe(detected, Security.defaults());
        assertTrue(hasMknod(lines.get(0)) && hasMknod(lines.get(1)), lines.toString());
        assertEquals(
                "made", lines.get(2), "mknod as in Docker (opening it is what the devices cgroup refuses): " + lines);
    }

    @Test
    void aDefaultContainerOnV2WithTheDeviceFilterKeepsMknod() throws Exception {
        assumeTrue(DeviceFilter.KERNEL.supported(), "this kernel does not load a BPF device filter for us");
        List<String> lines = probe(
                new CgroupIsolator(CgroupTesting.PARENT, new CgroupV2Driver(CGROUP2.path(), HostCpus.ofThisHost())),
                Security.defaults());
        assertTrue(hasMknod(lines.get(0)) && hasMknod(lines.get(1)), lines.toString());
        assertEquals("made", lines.get(2), "mknod as in Docker (opening it is what the filter refuses): " + lines);
    }

    @Test
    void anOciSetKeepingMknodInheritableIsRefusedOnV2() throws Exception {
        EnumSet<Capability> mknod = EnumSet.of(Capability.MKNOD);
        ContainerSpec spec = ContainerSpec.builder("true")
                .with(new CapabilitySets(mknod, mknod, mknod, mknod, mknod))
                .build();
        try (Isola isola = CgroupTesting.runtime(onV2())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> isola.start(spec));
            assertEquals(
                    "capability CAP_MKNOD in the inheritable or ambient set: device access is not filtered on this "
                            + "cgroup v2 host, so containers lose CAP_MKNOD; drop it from those sets or run privileged",
                    e.getMessage());
        }
        assertFalse(Files.exists(CGROUP2.path().resolve(CgroupTesting.PARENT)), "refused before anything was created");
    }

    private static boolean hasBit(String capLine, Capability cap) {
        return (Long.parseUnsignedLong(
                                capLine.substring(capLine.indexOf(':') + 1).trim(), 16)
                        & (1L << cap.number()))
                != 0;
    }
}
