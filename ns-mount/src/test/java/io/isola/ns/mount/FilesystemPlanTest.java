package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Filesystem;
import io.isola.api.KernelPaths;
import io.isola.api.Volume;
import io.isola.spi.Arg;
import io.isola.spi.ContainerBind;
import io.isola.spi.Phase;
import io.isola.spi.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan, read without starting anything: the order of the steps and where the checkpoints are. */
class FilesystemPlanTest {

    @TempDir
    Path rootfs;

    private List<String> describe(Filesystem filesystem, boolean ipc, boolean net) {
        return describe(filesystem, Neighbours.of(ipc, net));
    }

    private static List<String> describe(Filesystem filesystem, Neighbours neighbours) {
        return FilesystemPlan.of(filesystem, neighbours).plan().steps().planned().stream()
                .map(p ->
                        p.phase() + " " + (p.step() != null ? p.step().description() : "checkpoint: " + p.checkpoint()))
                .toList();
    }

    /** The mounts on /sys and /sys/fs/cgroup. */
    private static List<String> cgroupfs(List<String> steps) {
        return steps.stream()
                .filter(s -> s.matches(".* /sys( .*)?|.* /sys/fs/cgroup( .*)?") && !s.contains("create directory"))
                .toList();
    }

    @Test
    void theRootIsEnteredWithPivotRootBehindACheckpointThenLockedDown() {
        List<String> steps = describe(
                Filesystem.builder().rootfs(rootfs.toString()).readOnly(true).build(), false, true);

        assertEquals("FILESYSTEM bind the root file system " + rootfs + " onto itself", steps.get(0));
        assertEquals("FILESYSTEM checkpoint: the root file system is mounted", steps.get(1));
        int pivot = steps.indexOf("PIVOT pivot_root into the new root");
        assertEquals("PIVOT change directory to the new root " + rootfs, steps.get(pivot - 1));
        assertEquals(
                List.of(
                        "PIVOT checkpoint: the container is in its new root",
                        "PIVOT detach the host's root",
                        "PIVOT change directory to /",
                        "LOCKDOWN make / read-only"),
                steps.subList(pivot + 1, pivot + 5));
        assertTrue(
                steps.contains("FILESYSTEM mask /proc/kcore"),
                "masked before the volumes, from the runtime's /dev/null");
        assertTrue(
                steps.contains("FILESYSTEM mount sysfs (read-only) on /sys"), "a network namespace gets a fresh sysfs");
        assertFalse(steps.stream().anyMatch(s -> s.contains("mqueue")), "no mqueue without an IPC namespace");
    }

    @Test
    void withoutANetworkNamespaceSysIsTheHostsReadOnly() {
        List<String> steps =
                describe(Filesystem.builder().rootfs(rootfs.toString()).build(), true, false);

        int bind = steps.indexOf("FILESYSTEM bind the host's /sys on /sys");
        assertEquals("FILESYSTEM make /sys and the mounts below it read-only", steps.get(bind + 1));
        assertTrue(steps.contains("FILESYSTEM mount mqueue on /dev/mqueue"));
        assertFalse(steps.contains("LOCKDOWN make / read-only"));
    }

    @Test
    void anImageWhoseProcIsALinkIsRefused() throws Exception {
        Files.createSymbolicLink(rootfs.resolve("proc"), Path.of("/etc"));

        IllegalArgumentException e = Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> describe(Filesystem.builder().rootfs(rootfs.toString()).build(), false, false));

        assertEquals(
                "root file system: /proc is a symbolic link to /etc, expected a directory or nothing", e.getMessage());
    }

    @Test
    void theSandboxHidesTheHostsTmpRunAndRoot() {
        List<String> steps = describe(Filesystem.builder().build(), false, false);

        assertTrue(steps.contains("FILESYSTEM mount an empty tmpfs on /tmp"));
        assertTrue(steps.contains("FILESYSTEM mount an empty tmpfs on /run"));
        assertFalse(
                steps.stream().anyMatch(s -> s.contains("the host's /root") || s.contains("the host's /tmp")),
                steps.toString());
        assertTrue(steps.contains("LOCKDOWN make / read-only"));
    }

    @Test
    void theSetupFollowsNoLinkInTheRootOrAVolumeFromTheirMountsUntilThePivot() throws Exception {
        Path volume = Files.createDirectories(rootfs.resolveSibling(rootfs.getFileName() + "-volume"));
        Path file = Files.writeString(rootfs.resolveSibling(rootfs.getFileName() + "-file"), "");
        try {
            List<String> steps = describe(
                    Filesystem.builder()
                            .rootfs(rootfs.toString())
                            .volume(Volume.parse(volume + ":/data:ro"))
                            .volume(Volume.parse(file + ":/data/file"))
                            .build(),
                    false,
                    true);

            int root = steps.indexOf("FILESYSTEM follow no link through / and the mounts below it until the pivot");
            assertEquals("FILESYSTEM checkpoint: the root file system is mounted", steps.get(root - 1), "right after");
            int bound = steps.indexOf("FILESYSTEM bind volume " + volume + " on /data");
            assertEquals(
                    "FILESYSTEM make /data read-only and follow no link through /data and the mounts below it until"
                            + " the pivot",
                    steps.get(bound + 1),
                    "before anything is looked up below it");
            assertTrue(
                    steps.indexOf("FILESYSTEM bind volume " + file + " on /data/file") > bound + 1, steps.toString());
            assertFalse(
                    steps.stream().anyMatch(s -> s.contains("through /data/file")),
                    "nothing is looked up below a file");
            int pivot = steps.indexOf("PIVOT change directory to the new root " + rootfs);
            assertEquals("PIVOT follow links again in the new root and every mount below it", steps.get(pivot - 1));
            assertTrue(
                    steps.subList(0, pivot - 1).stream().noneMatch(s -> s.startsWith("PIVOT")),
                    "the first step of the pivot");
        } finally {
            Files.delete(file);
            Files.delete(volume);
        }
    }

    @Test
    void aVolumesFlagsAndAnOciConfigsKernelPathsArePlanned() throws Exception {
        Path source = Files.createDirectories(rootfs.resolveSibling(rootfs.getFileName() + "-shm"));
        try {
            Filesystem filesystem = Filesystem.builder()
                    .rootfs(rootfs.toString())
                    .volume(new Volume(
                            source.toString(),
                            "/dev/shm",
                            false,
                            EnumSet.of(Volume.Option.NOSUID, Volume.Option.NOEXEC, Volume.Option.NONRECURSIVE)))
                    .build();
            List<String> steps = FilesystemPlan.of(filesystem, Neighbours.of(false, true))
                    .kernelPaths(new KernelPaths(List.of("/proc/kcore", "/sys/dev/block"), List.of("/proc/sys")))
                    .plan()
                    .steps()
                    .planned()
                    .stream()
                    .filter(p -> p.step() != null)
                    .map(p -> p.phase() + " " + p.step().description())
                    .toList();

            assertTrue(
                    steps.contains("FILESYSTEM set [NOSUID, NOEXEC, NONRECURSIVE] on /dev/shm and follow no link"
                            + " through /dev/shm until the pivot"),
                    steps.toString());
            assertTrue(steps.contains("FILESYSTEM mask /sys/dev/block"));
            assertFalse(steps.contains("FILESYSTEM mask /proc/keys"), "the config's list replaces the defaults");
            assertEquals(
                    List.of("LOCKDOWN bind /proc/sys onto itself"),
                    steps.stream().filter(s -> s.startsWith("LOCKDOWN bind")).toList());
        } finally {
            Files.delete(source);
        }
    }

    @Test
    void withoutACgroupIsolatorTheContainerSeesTheHostsCgroupfsReadOnly() {
        Filesystem image = Filesystem.builder().rootfs(rootfs.toString()).build();

        assertEquals(
                List.of(
                        "FILESYSTEM mount sysfs (read-only) on /sys",
                        "FILESYSTEM bind the host's /sys/fs/cgroup on /sys/fs/cgroup",
                        "FILESYSTEM make /sys/fs/cgroup and the mounts below it read-only"),
                cgroupfs(describe(image, new Neighbours(false, false, true, false))));
        assertEquals(
                List.of(
                        "FILESYSTEM bind the host's /sys on /sys",
                        "FILESYSTEM make /sys and the mounts below it read-only"),
                cgroupfs(describe(image, new Neighbours(false, false, false, false))));
    }

    /**
     * The cgroup isolator's mount point (Duty.MOUNT_CGROUPFS) is left without the host's mount:
     * on a cgroup v2 host that is the superblock it mounts there again, which the kernel refuses.
     */
    @Test
    void theCgroupIsolatorsMountPointIsLeftWithoutTheHostsMount() {
        Filesystem image = Filesystem.builder().rootfs(rootfs.toString()).build();

        assertEquals(
                List.of("FILESYSTEM mount sysfs (read-only) on /sys"),
                cgroupfs(describe(image, new Neighbours(false, false, true, true))),
                "a fresh sysfs: nothing brought there");
        assertEquals(
                List.of(
                        "FILESYSTEM bind the host's /sys on /sys",
                        "FILESYSTEM detach the host's cgroup file systems from /sys/fs/cgroup",
                        "FILESYSTEM make /sys and the mounts below it read-only"),
                cgroupfs(describe(image, new Neighbours(false, false, false, true))));
        assertEquals(
                List.of(
                        "FILESYSTEM bind the host's /sys on /sys",
                        "FILESYSTEM mount an empty tmpfs (read-only) on /sys/fs/cgroup",
                        "FILESYSTEM make /sys and the mounts below it read-only"),
                cgroupfs(describe(image, new Neighbours(true, false, false, true))),
                "in a user namespace the host's is locked there");
    }

    /**
     * In a user namespace the child cannot search what only host root may (a volume below a 0700
     * directory, the network's files in isola's state): it binds each source from the staging
     * directory the host binds them on in its mount namespace, and the description still names the source.
     */
    @Test
    void aUserNamespacesBindSourcesAreStagedWhereTheChildCanReachThem() throws Exception {
        Path volume = Files.createDirectory(rootfs.resolve("volume"));
        Path staging = rootfs.resolve("staging");
        Filesystem filesystem =
                Filesystem.builder().volume(Volume.parse(volume + ":/data")).build();
        FilesystemPlan plan = FilesystemPlan.of(filesystem, Neighbours.of(false, false))
                .sources(BindSources.staged(staging))
                .plan();
        try {
            Step bind = plan.steps().planned().stream()
                    .map(PlannedSteps.Planned::step)
                    .filter(s -> s != null && s.description().equals("bind volume " + volume + " on /data"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    staging.resolve("0").toString(), ((Arg.Text) bind.args().get(0)).value());
            assertTrue(Files.isDirectory(staging), "made on the host once the plan stands");
        } finally {
            plan.close();
        }
    }
    /**
     * A rootless user's child in a user namespace whose root is a subordinate uid cannot search the
     * user's private directories (the network's /etc files, a volume in a 0700 home), and the
     * user's host process cannot stage them: the child binds them on its own staging points first,
     * with the user's credentials, in its own private mount namespace, and binds them from there.
     */
    @Test
    void aRootlessChildStagesItsBindsBeforeTakingItsIds() throws Exception {
        Path files = Files.createDirectory(rootfs.resolve("files"));
        Path hosts = Files.writeString(files.resolve("hosts"), "127.0.0.1 localhost\n");
        Path volume = Files.createDirectory(rootfs.resolve("volume")).toRealPath();
        Path root = Files.createDirectories(rootfs.resolve("root/etc"));
        Files.writeString(root.resolve("hosts"), "");
        Path staging = rootfs.resolve("staging");
        Filesystem filesystem = Filesystem.builder()
                .rootfs(root.getParent().toString())
                .volume(Volume.parse(volume + ":/data"))
                .build();
        FilesystemPlan plan = FilesystemPlan.of(filesystem, Neighbours.of(false, false))
                .requestedBinds(List.of(new ContainerBind("the network's /etc/hosts", hosts, "/etc/hosts", false)))
                .sources(BindSources.stagedByChild(staging))
                .plan();
        try {
            List<PlannedSteps.Planned> planned = plan.steps().planned();
            assertEquals(
                    List.of(
                            "ENTRY make / recursively private before staging the binds",
                            "ENTRY create directory " + staging.resolve("dir-0"),
                            "ENTRY stage " + volume + " with the host user's credentials",
                            "ENTRY create file " + staging.resolve("file-1"),
                            "ENTRY stage " + hosts.toRealPath() + " with the host user's credentials"),
                    planned.stream()
                            .filter(p -> p.phase() == Phase.ENTRY)
                            .map(p -> p.phase() + " " + p.step().description())
                            .toList());
            assertEquals(staging.resolve("dir-0").toString(), sourceOf(planned, "bind volume " + volume + " on /data"));
            assertEquals(
                    staging.resolve("file-1").toString(),
                    sourceOf(planned, "bind the network's /etc/hosts on /etc/hosts"));
            assertTrue(Files.isDirectory(staging), "made on the host once the plan stands");
        } finally {
            plan.close();
        }
    }

    private static String sourceOf(List<PlannedSteps.Planned> planned, String description) {
        Step bind = planned.stream()
                .map(PlannedSteps.Planned::step)
                .filter(s -> s != null && s.description().equals(description))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no step " + description + " in " + planned));
        return ((Arg.Text) bind.args().get(0)).value();
    }

    /** A bind of the host's node would let the container's root chmod, chown and touch the host's (issue 23). */
    @Test
    void withoutAUserNamespaceTheDeviceNodesAreTheContainersOwnInAUserNamespaceReadOnlyBinds() {
        Filesystem filesystem = Filesystem.builder().rootfs(rootfs.toString()).build();
        List<String> own = describe(filesystem, false, true);
        List<String> bound = describe(filesystem, new Neighbours(true, false, true, false));

        int made = own.indexOf("FILESYSTEM make the device node /dev/null (c 1:3)");
        assertTrue(made > own.indexOf("FILESYSTEM mount a tmpfs on /dev"), own::toString);
        assertEquals("FILESYSTEM make /dev/null readable and writable by all (0666)", own.get(made + 1));
        assertTrue(own.contains("FILESYSTEM make the device node /dev/tty (c 5:0)"), own::toString);
        assertFalse(own.stream().anyMatch(s -> s.contains("the host's /dev/")), own::toString);

        int bind = bound.indexOf("FILESYSTEM bind the host's /dev/null on /dev/null");
        assertEquals("FILESYSTEM make /dev/null read-only", bound.get(bind + 1));
        assertFalse(bound.stream().anyMatch(s -> s.contains("make the device node")), bound::toString);
    }
}
