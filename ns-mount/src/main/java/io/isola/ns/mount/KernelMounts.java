package io.isola.ns.mount;

import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.spi.support.SyscallSteps;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The file systems every container gets from the kernel, never the host's: {@code /proc} for its
 * PID namespace, a small {@code /dev}, and {@code /sys} read-only.
 */
final class KernelMounts {

    /** The links in /dev, as the kernel's devtmpfs and every runtime lay them out. */
    static final Map<String, String> DEV_LINKS = links();

    /** The attributes of the read-only kernel file systems: no set-uid files, devices or programs. */
    private static final long SIMPLE_FILES =
            SyscallSteps.MOUNT_ATTR_NOSUID | SyscallSteps.MOUNT_ATTR_NODEV | SyscallSteps.MOUNT_ATTR_NOEXEC;

    /** A remount resets every option it does not name, so both of devpts's mounts pass these. */
    private static final String DEVPTS_OPTIONS = "newinstance,ptmxmode=0666,mode=0620";

    private final PlannedSteps steps;
    private final MountCalls calls;
    private final ContainerTree tree;

    KernelMounts(PlannedSteps steps, MountCalls calls, ContainerTree tree) {
        this.steps = steps;
        this.calls = calls;
        this.tree = tree;
    }

    void proc() {
        mountPoint("/proc", 0555);
        steps.add(Phase.FILESYSTEM, calls.mount("proc", "proc", "/proc", "proc", MountCalls.NOSUID_NODEV_NOEXEC, null));
        tree.mount("/proc", Backing.kernel());
    }

    /**
     * The container's /dev: its device nodes ({@link DeviceNodes}), the usual links, devpts, shm and
     * mqueue. With {@code ownShm} the user mounts a tmpfs of their own on /dev/shm ({@code
     * --shm-size}, {@code --tmpfs /dev/shm}): only its directory is made here, so that no hidden
     * default shm lies below it.
     */
    void dev(DeviceNodes nodes, boolean ipcNamespace, boolean ownShm) {
        mountPoint("/dev", 0755);
        steps.add(
                Phase.FILESYSTEM,
                calls.mount(
                        "a tmpfs",
                        "tmpfs",
                        "/dev",
                        "tmpfs",
                        Steps.MS_NOSUID | Steps.MS_NOEXEC,
                        "mode=755,size=65536k"));
        Map<String, Entry> layout = new LinkedHashMap<>();
        // no MS_NODEV: the nodes made here must open
        nodes.add(steps, calls);
        DeviceNodes.NAMES.forEach(name -> layout.put(name, Entry.FILE));
        DEV_LINKS.forEach((name, target) -> {
            steps.add(Phase.FILESYSTEM, calls.symlink(target, "/dev/" + name));
            layout.put(name, new Entry.Link(target));
        });
        steps.add(Phase.FILESYSTEM, calls.mkdir("/dev/pts", 0755));
        // a new instance: the container's ptys are not the host's, and ptmx (a link to pts/ptmx) opens this one
        steps.add(
                Phase.FILESYSTEM,
                calls.mount(
                        "a new devpts instance",
                        "devpts",
                        "/dev/pts",
                        "devpts",
                        Steps.MS_NOSUID | Steps.MS_NOEXEC,
                        DEVPTS_OPTIONS));
        // its ptys belong to group tty, as on the host and in every runtime; the kernel refuses gid=5
        // (EINVAL) where the container's user namespace does not map gid 5, and a refused remount
        // leaves the instance as it was: the remount is the step's "else", which a chain has not
        steps.add(
                Phase.FILESYSTEM,
                calls.mount(
                                "devpts's group tty (gid 5)",
                                "devpts",
                                "/dev/pts",
                                "devpts",
                                Steps.MS_REMOUNT | Steps.MS_NOSUID | Steps.MS_NOEXEC,
                                DEVPTS_OPTIONS + ",gid=5")
                        .tolerating("EINVAL"));
        steps.add(Phase.FILESYSTEM, calls.mkdir("/dev/shm", 01777));
        if (!ownShm) {
            steps.add(
                    Phase.FILESYSTEM,
                    calls.mount(
                            "a tmpfs",
                            "shm",
                            "/dev/shm",
                            "tmpfs",
                            MountCalls.NOSUID_NODEV_NOEXEC,
                            "mode=1777,size=65536k"));
        }
        layout.put("pts", Entry.DIRECTORY);
        layout.put("shm", Entry.DIRECTORY);
        if (ipcNamespace) {
            // mqueue shows the queues of the IPC namespace of the process that mounts it: without a new one, the host's
            steps.add(Phase.FILESYSTEM, calls.mkdir("/dev/mqueue", 0755));
            steps.add(
                    Phase.FILESYSTEM,
                    calls.mount("mqueue", "mqueue", "/dev/mqueue", "mqueue", MountCalls.NOSUID_NODEV_NOEXEC, null));
            layout.put("mqueue", Entry.DIRECTORY);
        }
        tree.mount("/dev", Backing.laidOut(layout));
        tree.mount("/dev/pts", Backing.kernel());
        if (!ownShm) {
            tree.mount("/dev/shm", Backing.empty());
        }
        if (ipcNamespace) {
            tree.mount("/dev/mqueue", Backing.kernel());
        }
    }

    /**
     * A fresh sysfs shows the network devices of the namespace of the process that mounts it, so
     * without a network namespace of its own the container gets the host's /sys bound instead.
     *
     * <p>/sys/fs/cgroup is another isolator's mount point when {@code cgroupfsMounted} ({@link
     * io.isola.spi.Duty#MOUNT_CGROUPFS}): it is left to that isolator without the host's mount
     * there. On a cgroup v2 host the host's mount is the cgroup2 superblock the owner mounts again,
     * which the kernel refuses on the same mount point (EBUSY); elsewhere it would leave the host's
     * whole cgroup tree beneath the container's. Otherwise the container sees the host's cgroup
     * file systems there, read-only.
     */
    void sys(Neighbours neighbours) {
        mountPoint("/sys", 0555);
        if (neighbours.networkNamespace()) {
            steps.add(
                    Phase.FILESYSTEM,
                    calls.mount(
                            "sysfs (read-only)",
                            "sysfs",
                            "/sys",
                            "sysfs",
                            Steps.MS_RDONLY | MountCalls.NOSUID_NODEV_NOEXEC,
                            null));
            if (!neighbours.cgroupfsMounted()) {
                // a fresh sysfs has an empty /sys/fs/cgroup: bring the host's there, read-only
                steps.add(
                        Phase.FILESYSTEM,
                        calls.bind("the host's /sys/fs/cgroup", "/sys/fs/cgroup", "/sys/fs/cgroup", true)
                                .tolerating("ENOENT"));
                steps.add(
                        Phase.FILESYSTEM,
                        calls.readOnly("/sys/fs/cgroup", true, SIMPLE_FILES).tolerating("ENOENT"));
            }
        } else {
            steps.add(Phase.FILESYSTEM, calls.bind("the host's /sys", "/sys", "/sys", true));
            if (neighbours.cgroupfsMounted()) {
                withoutHostCgroupfs(neighbours.userNamespace());
            }
            steps.add(Phase.FILESYSTEM, calls.readOnly("/sys", true, SIMPLE_FILES));
        }
        tree.mount("/sys", Backing.kernel());
    }

    /**
     * Takes the host's mount on /sys/fs/cgroup out of the bound /sys. A user namespace's mount
     * namespace locks the mounts it inherits to their parents, so there it cannot be detached
     * (EINVAL): an empty read-only tmpfs covers it instead, the mount point the owner mounts on.
     */
    private void withoutHostCgroupfs(boolean userNamespace) {
        if (userNamespace) {
            steps.add(
                    Phase.FILESYSTEM,
                    calls.mount(
                            "an empty tmpfs (read-only)",
                            "tmpfs",
                            "/sys/fs/cgroup",
                            "tmpfs",
                            Steps.MS_RDONLY | MountCalls.NOSUID_NODEV_NOEXEC,
                            "mode=755,size=4k"));
        } else {
            // EINVAL: nothing is mounted there, so nothing came with /sys; also a mount locked there
            // (a runtime that itself runs in a user namespace), which the owner's mount then meets
            steps.add(
                    Phase.FILESYSTEM,
                    calls.unmount("the host's cgroup file systems", "/sys/fs/cgroup")
                            .tolerating("EINVAL"));
        }
    }

    /**
     * Makes sure {@code path} is a directory of the new root itself: an image whose /proc is a link
     * would otherwise have proc mounted wherever the link points.
     */
    private void mountPoint(String path, int mode) {
        ContainerTree.Resolved resolved = tree.resolve("mount point", path);
        if (!resolved.containerPath().equals(path)) {
            throw new IllegalArgumentException("root file system: " + path + " is a symbolic link to "
                    + resolved.containerPath() + ", expected a directory or nothing");
        }
        if (resolved.last() == Entry.FILE) {
            throw new IllegalArgumentException(
                    "root file system: " + path + " is a file, expected a directory or nothing");
        }
        if (resolved.last() == Entry.MISSING) {
            steps.add(Phase.FILESYSTEM, calls.mkdir(path, mode));
        }
    }

    private static Map<String, String> links() {
        Map<String, String> links = new LinkedHashMap<>();
        links.put("fd", "/proc/self/fd");
        links.put("stdin", "/proc/self/fd/0");
        links.put("stdout", "/proc/self/fd/1");
        links.put("stderr", "/proc/self/fd/2");
        links.put("ptmx", "pts/ptmx");
        return Collections.unmodifiableMap(links);
    }
}
