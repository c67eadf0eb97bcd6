package io.isola.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.Capability;
import io.isola.api.CapabilitySets;
import io.isola.api.CgroupPath;
import io.isola.api.ContainerSpec;
import io.isola.api.Devices;
import io.isola.api.Filesystem;
import io.isola.api.IoThrottle;
import io.isola.api.KernelPaths;
import io.isola.api.NamespacePaths;
import io.isola.api.Network;
import io.isola.api.ProcessAttributes;
import io.isola.api.Resources;
import io.isola.api.SeccompProfile;
import io.isola.api.Security;
import io.isola.api.Sysctls;
import io.isola.api.Ulimit;
import io.isola.api.Volume;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config.json that podman 4.3 wrote for {@code podman run --rm --ulimit nofile=1024:1024
 * --ulimit nproc=1024:1024 IMAGE echo hello} (captured from a real run, see the resource), with its
 * host paths moved into a temporary directory: every field it carries is translated.
 */
class PodmanConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ObjectNode config;

    @BeforeEach
    void load() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("podman-4.3-run.json")) {
            config = (ObjectNode) JSON.readTree(in);
        }
        Files.createDirectories(dir.resolve("rootfs"));
        config.with("root").put("path", dir.resolve("rootfs").toString());
        for (var mount : config.withArray("mounts")) {
            if (mount.path("type").asText().equals("bind")) {
                Path source = dir.resolve("userdata")
                        .resolve(Path.of(mount.get("source").asText()).getFileName());
                if (source.getFileName().toString().equals("shm")) {
                    Files.createDirectories(source);
                } else {
                    Files.createDirectories(source.getParent());
                    Files.writeString(source, "");
                }
                ((ObjectNode) mount).put("source", source.toString());
            }
        }
    }

    private ContainerSpec translate() {
        return translate(ConfigTranslator.Options.DEFAULTS);
    }

    private ContainerSpec translate(ConfigTranslator.Options options) {
        return ConfigTranslator.translate(config, dir, options).spec().build();
    }

    @Test
    void namespacesAreCreatedOrJoinedByPathAndResourcesBringTheCgroupIsolator() {
        ContainerSpec spec = translate();
        assertEquals(
                Set.of("pid", "ipc", "uts", "mount", "cgroup"), spec.isolators().orElseThrow());
        assertEquals(
                Map.of("net", "/run/netns/netns-dfc55088-37e9-8229-6d71-cdbdfbffc546"),
                spec.extension(NamespacePaths.class).orElseThrow().paths());
        assertEquals("c374ff1187f5", spec.hostname().orElseThrow());
    }

    @Test
    void aNetworkNamespaceWithoutPathIsAnEmptyOneForTheEngineToAttach() {
        ((ObjectNode) config.with("linux").withArray("namespaces").get(1)).remove("path");
        ContainerSpec spec = translate();
        assertTrue(spec.isolators().orElseThrow().contains("net"));
        assertEquals(
                Network.Mode.NONE, spec.extension(Network.class).orElseThrow().mode());
        assertTrue(spec.extension(NamespacePaths.class).isEmpty());
    }

    @Test
    void processSecurityIsPodmansDefaults() {
        ContainerSpec spec = translate();
        Set<Capability> podman = EnumSet.of(
                Capability.CHOWN,
                Capability.DAC_OVERRIDE,
                Capability.FOWNER,
                Capability.FSETID,
                Capability.KILL,
                Capability.NET_BIND_SERVICE,
                Capability.SETFCAP,
                Capability.SETGID,
                Capability.SETPCAP,
                Capability.SETUID,
                Capability.SYS_CHROOT);
        CapabilitySets sets = spec.extension(CapabilitySets.class).orElseThrow();
        assertEquals(podman, sets.bounding());
        assertEquals(podman, sets.effective());
        assertEquals(podman, sets.permitted());
        assertEquals(Set.of(), sets.inheritable());
        assertEquals(Set.of(), sets.ambient());
        Security security = Security.of(spec);
        assertEquals(podman, security.capabilities());
        assertFalse(security.noNewPrivileges(), "the config does not ask for no_new_privs");
        assertEquals(
                Map.of("nofile", new Ulimit("nofile", 1024, 1024), "nproc", new Ulimit("nproc", 1024, 1024)),
                security.ulimits());
        assertEquals(
                022,
                spec.extension(ProcessAttributes.class).orElseThrow().umask(),
                "podman writes umask 18, which is 022");
    }

    @Test
    void theSeccompProfileIsCompiledFromTheConfig() {
        SeccompProfile profile = Security.of(translate()).profile().orElseThrow();
        assertEquals(Security.Seccomp.PROFILE, Security.of(translate()).seccomp());
        assertEquals(SeccompProfile.Action.ERRNO, profile.defaultAction());
        assertEquals(38, profile.defaultErrno());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), profile.architectures());
        SeccompProfile.Rule socket = profile.rules().stream()
                .filter(r -> r.names().equals(List.of("socket")))
                .findFirst()
                .orElseThrow();
        assertEquals(SeccompProfile.Action.ERRNO, socket.action());
        assertEquals(22, socket.errno());
        assertEquals(2, socket.conditions().size());
    }

    @Test
    void kernelSettingsPathsAndCgroupAreTranslated() {
        ContainerSpec spec = translate();
        assertEquals(
                Map.of("net.ipv4.ping_group_range", "0 0"),
                spec.extension(Sysctls.class).orElseThrow().values());
        KernelPaths paths = spec.extension(KernelPaths.class).orElseThrow();
        assertTrue(
                paths.masked().contains("/sys/dev/block") && paths.masked().contains("/proc/kcore"), paths.toString());
        assertEquals(
                List.of("/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                paths.readOnly());
        assertEquals(
                2048, spec.extension(Resources.class).orElseThrow().pidsLimit().orElseThrow());
        assertEquals(
                "libpod_parent/libpod-c374ff1187f5ed1fc5a3d461557478be3265c50a046e90d7ba1217d1d01d3437",
                spec.extension(CgroupPath.class).orElseThrow().path());
    }

    @Test
    void deviceRulesFollowTheCgroupIsolatorsBaselineWithoutTheLeadingDenyAll() {
        assertEquals(
                List.of(),
                translate().extension(Devices.class).orElseThrow().rules(),
                "podman's only rule, deny all, is the baseline already");
        config.with("linux")
                .with("resources")
                .withArray("devices")
                .addObject()
                .put("allow", true)
                .put("type", "c")
                .put("major", 10)
                .put("minor", 200)
                .put("access", "rwm");
        assertEquals(
                List.of("c 10:200 rwm"),
                translate().extension(Devices.class).orElseThrow().rules().stream()
                        .map(Devices.Rule::line)
                        .toList());
    }

    @Test
    void bindMountsKeepTheirFlags() {
        Filesystem filesystem = translate().extension(Filesystem.class).orElseThrow();
        assertEquals(dir.resolve("rootfs").toString(), filesystem.rootfs().orElseThrow());
        Volume shm = filesystem.volumes().stream()
                .filter(v -> v.target().equals("/dev/shm"))
                .findFirst()
                .orElseThrow();
        assertEquals(
                EnumSet.of(Volume.Option.NOSUID, Volume.Option.NODEV, Volume.Option.NOEXEC, Volume.Option.NONRECURSIVE),
                shm.options());
        assertFalse(shm.readOnly());
        assertEquals(
                List.of("/etc/resolv.conf", "/etc/hosts", "/dev/shm", "/run/.containerenv", "/etc/hostname"),
                filesystem.volumes().stream().map(Volume::target).toList());
    }

    @Test
    void systemdCgroupPathsMapToCgroupfsPaths() {
        config.with("linux").put("cgroupsPath", "machine.slice:libpod:abc");
        assertEquals(
                "machine.slice/libpod-abc.scope",
                translate(new ConfigTranslator.Options(true))
                        .extension(CgroupPath.class)
                        .orElseThrow()
                        .path());
        config.with("linux").put("cgroupsPath", "user-1000.slice:crio:x1");
        assertEquals(
                "user.slice/user-1000.slice/crio-x1.scope",
                translate(new ConfigTranslator.Options(true))
                        .extension(CgroupPath.class)
                        .orElseThrow()
                        .path());
        config.with("linux").put("cgroupsPath", "machine.slice:libpod:abc");
        assertRefused("linux.cgroupsPath", "--systemd-cgroup");
    }

    @Test
    void aMemoryReservationAndBlockIoLimitsBecomeResources() {
        ObjectNode resources = config.with("linux").with("resources");
        resources.with("memory").put("reservation", 64 << 20);
        ObjectNode blockIo = resources.with("blockIO").put("weight", 300);
        blockIo.withArray("throttleReadBpsDevice")
                .addObject()
                .put("major", 8)
                .put("minor", 0)
                .put("rate", 1 << 20);
        blockIo.withArray("throttleWriteIOPSDevice")
                .addObject()
                .put("major", 8)
                .put("minor", 16)
                .put("rate", 50);
        Resources r = translate().extension(Resources.class).orElseThrow();
        assertEquals(64L << 20, r.memoryReservation().getAsLong());
        assertEquals(300, r.blkioWeight().getAsInt());
        assertEquals(
                Set.of(
                        new IoThrottle(IoThrottle.Kind.READ_BPS, 8, 0, 1 << 20),
                        new IoThrottle(IoThrottle.Kind.WRITE_IOPS, 8, 16, 50)),
                Set.copyOf(r.ioThrottles()));
        blockIo.put("weight", 5);
        assertRefused("linux.resources", "blkio weight 5: expected a number from 10 to 1000");
    }

    @Test
    void whatIsolaCannotHonourIsRefusedByItsField() {
        refusedWith(
                "linux.sysctl.kernel.hostname",
                () -> config.with("linux").with("sysctl").put("kernel.hostname", "x"));
        refusedWith(
                "linux.sysctl.vm.swappiness",
                () -> config.with("linux").with("sysctl").put("vm.swappiness", "1"));
        refusedWith(
                "linux.namespaces[0].path",
                () -> ((ObjectNode) config.with("linux").withArray("namespaces").get(0)).put("path", "proc/1/ns/pid"));
        refusedWith(
                "linux.uidMappings",
                () -> config.with("linux")
                        .withArray("uidMappings")
                        .addObject()
                        .put("containerID", 0)
                        .put("hostID", 100000)
                        .put("size", 65536));
        refusedWith(
                "linux.timeOffsets",
                () -> config.with("linux").with("timeOffsets").with("boottime").put("secs", 5));
        refusedWith(
                "linux.seccomp.flags",
                () -> config.with("linux").with("seccomp").putArray("flags").add("SECCOMP_FILTER_FLAG_LOG"));
        refusedWith(
                "linux.resources.blockIO.weightDevice",
                () -> config.with("linux")
                        .with("resources")
                        .with("blockIO")
                        .withArray("weightDevice")
                        .addObject()
                        .put("major", 8)
                        .put("minor", 0)
                        .put("weight", 100));
        refusedWith(
                "linux.resources.devices[0]",
                () -> ((ObjectNode) config.with("linux")
                                .with("resources")
                                .withArray("devices")
                                .get(0))
                        .put("type", "x"));
        refusedWith(
                "mounts[11]",
                () -> config.withArray("mounts")
                        .addObject()
                        .put("destination", "/mnt")
                        .put("type", "nfs")
                        .put("source", "server:/x"));
        refusedWith(
                "mounts[5].options",
                () -> ((ArrayNode) config.withArray("mounts").get(5).get("options")).add("sideways"));
        refusedWith(
                "mounts[0].options",
                () -> ((ArrayNode) config.withArray("mounts").get(0).get("options")).add("ro"));
        refusedWith(
                "process.rlimits[0].type",
                () -> ((ObjectNode) config.with("process").withArray("rlimits").get(0)).put("type", "RLIMIT_BOGUS"));
        refusedWith(
                "process.capabilities.effective",
                () -> config.with("process")
                        .with("capabilities")
                        .withArray("effective")
                        .add("CAP_NOT_A_CAP"));
        refusedWith(
                "linux.intelRdt", () -> config.with("linux").with("intelRdt").put("closID", "x"));
    }

    /**
     * runc's rootless spec replaces sysfs with a read-only bind of the host's /sys (a user
     * namespace cannot mount sysfs for the host's network namespace): what isola mounts at /sys
     * itself, so it is no volume. A writable bind of it, or another source there, is still refused.
     */
    @Test
    void runcsRootlessBindOfTheHostsSysIsTheSysIsolaMounts() {
        ArrayNode mounts = config.withArray("mounts");
        ObjectNode sys = (ObjectNode) mounts.get(2);
        sys.put("type", "none").put("source", "/sys");
        sys.putArray("options")
                .add("rbind")
                .add("nosuid")
                .add("noexec")
                .add("nodev")
                .add("ro");
        Filesystem filesystem = translate().extension(Filesystem.class).orElseThrow();
        assertTrue(
                filesystem.volumes().stream().noneMatch(v -> v.target().equals("/sys")),
                filesystem.volumes().toString());

        ((ArrayNode) sys.get("options")).remove(4);
        assertRefused("mounts[2].options", "read-only");
        ((ArrayNode) sys.get("options")).add("ro").add("rshared");
        assertRefused("mounts[2].options", "rshared");
    }

    @Test
    void podmansTmpcopyupIsAcceptedWhereTheImageHasNothingToCopy() throws Exception {
        ObjectNode tmpfs = config.withArray("mounts")
                .addObject()
                .put("destination", "/scratch")
                .put("type", "tmpfs")
                .put("source", "tmpfs");
        tmpfs.putArray("options")
                .add("rw")
                .add("rprivate")
                .add("nosuid")
                .add("nodev")
                .add("tmpcopyup")
                .add("size=1m");
        assertEquals(
                1 << 20,
                translate()
                        .extension(Filesystem.class)
                        .orElseThrow()
                        .tmpfs()
                        .get(0)
                        .sizeBytes());
        Files.writeString(Files.createDirectories(dir.resolve("rootfs/scratch")).resolve("file"), "x");
        assertRefused("mounts[11].options", "tmpcopyup");
    }

    @Test
    void anAmbientCapabilityThatIsNotInheritableIsNotRaisedAsWithRunc() {
        config.with("process").with("capabilities").putArray("ambient").add("CAP_KILL");
        assertEquals(
                Set.of(),
                translate().extension(CapabilitySets.class).orElseThrow().ambient());
        config.with("process").with("capabilities").putArray("inheritable").add("CAP_KILL");
        assertEquals(
                Set.of(Capability.KILL),
                translate().extension(CapabilitySets.class).orElseThrow().ambient());
    }

    private void refusedWith(String field, Runnable edit) {
        ObjectNode saved = config.deepCopy();
        edit.run();
        assertRefused(field, "");
        config = saved;
    }

    private void assertRefused(String field, String alsoMentions) {
        try {
            translate();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains(field) && e.getMessage().contains(alsoMentions), e.getMessage());
            return;
        }
        throw new AssertionError("not refused: " + field);
    }
}
