package io.isola.ns.mount;

import io.isola.spi.Arg;
import io.isola.spi.LibcCall;
import io.isola.spi.Step;
import io.isola.spi.Steps;
import io.isola.spi.support.FileModes;
import io.isola.spi.support.SyscallSteps;
import java.util.Set;

/**
 * The child-side calls this isolator makes, before {@code pivot_root} on paths below the new
 * root's host path, described by the container path a user would recognise.
 */
final class MountCalls {

    static final long NOSUID_NODEV_NOEXEC = Steps.MS_NOSUID | Steps.MS_NODEV | Steps.MS_NOEXEC;
    private static final long MNT_DETACH = 2;

    /**
     * The file systems that take the mount label, as runc gives it: those made for the container
     * alone (proc and sysfs have the kernel's labels, a bind keeps its source's). Not mqueue, whose
     * mount refuses a context= (EINVAL on Linux 6.1, seen in scripts/smoke-vm.sh): it keeps the
     * policy's label for mqueue (runc sets its root's attribute after the mount instead).
     */
    private static final Set<String> LABELLED = Set.of("tmpfs", "devpts");

    /** Where the new root is mounted before pivot_root; "" once it is {@code /}. */
    private final String root;

    /** The SELinux context of the container's own file systems, or null for the kernel's default. */
    private final String mountLabel;

    MountCalls(String root) {
        this(root, null);
    }

    MountCalls(String root, String mountLabel) {
        this.root = root;
        this.mountLabel = mountLabel;
    }

    /** The calls for the same container after pivot_root, where {@code /} is its root. */
    MountCalls inside() {
        return new MountCalls("", mountLabel);
    }

    /** The child's path for a container path. */
    String at(String containerPath) {
        return containerPath.equals("/") ? (root.isEmpty() ? "/" : root) : root + containerPath;
    }

    Step mkdir(String containerPath, int mode) {
        return Step.call(
                        "create directory " + containerPath,
                        LibcCall.MKDIR,
                        Arg.text(at(containerPath)),
                        Arg.word(mode))
                .tolerating("EEXIST");
    }

    /** An empty regular file to mount a file on (mknod makes regular files without privilege). */
    Step touch(String containerPath) {
        return Step.call(
                        "create file " + containerPath,
                        LibcCall.MKNOD,
                        Arg.text(at(containerPath)),
                        Arg.word(FileModes.S_IFREG | 0644),
                        Arg.word(0))
                .tolerating("EEXIST");
    }

    Step symlink(String target, String containerPath) {
        return Step.call(
                "link " + containerPath + " to " + target,
                LibcCall.SYMLINK,
                Arg.text(target),
                Arg.text(at(containerPath)));
    }

    Step mount(String what, String source, String containerPath, String fstype, long flags, String data) {
        return Steps.mount(
                "mount " + what + " on " + containerPath,
                source,
                at(containerPath),
                fstype,
                flags,
                labelled(fstype, data));
    }

    /**
     * {@code data} with the mount label as its {@code context=} option where {@code fstype} takes
     * one; quoted, because a context's level has commas (s0:c1,c2), which end an option.
     */
    String labelled(String fstype, String data) {
        if (mountLabel == null || !LABELLED.contains(fstype)) {
            return data;
        }
        String context = "context=\"" + mountLabel + "\"";
        return data == null || data.isEmpty() ? context : data + "," + context;
    }

    Step bind(String what, String hostSource, String containerPath, boolean recursive) {
        return Steps.mount(
                "bind " + what + " on " + containerPath,
                hostSource,
                at(containerPath),
                null,
                Steps.MS_BIND | (recursive ? Steps.MS_REC : 0),
                null);
    }

    /** Makes the mount at {@code containerPath} (and with {@code recursive} every one below it) read-only. */
    Step readOnly(String containerPath, boolean recursive, long moreAttributes) {
        return SyscallSteps.mountSetattr(
                "make " + containerPath + (recursive ? " and the mounts below it" : "") + " read-only",
                at(containerPath),
                recursive,
                SyscallSteps.MOUNT_ATTR_RDONLY | moreAttributes);
    }

    /**
     * Makes ({@code also} says what else the step does, or is empty) every lookup through the mount at {@code containerPath} (and, {@code recursive}, the
     * mounts below it) fail with ELOOP at a link until {@link #followLinksAgain}, and sets {@code
     * moreAttributes} on it for good. The host resolved each target to a path without links just
     * before the clone; a container that can write there (one sharing a volume, or the root
     * directory) could swap a directory on that path for a link meanwhile and have a later mkdir or
     * mount land on the host (runc's CVE-2021-30465). Mounts made afterwards take the flag of the
     * mount they bind from, so a volume gets it again after its bind.
     */
    Step followNoLinks(String also, String containerPath, boolean recursive, long moreAttributes) {
        return SyscallSteps.mountSetattr(
                also + "follow no link through " + containerPath + (recursive ? " and the mounts below it" : "")
                        + " until the pivot",
                at(containerPath),
                recursive,
                SyscallSteps.MOUNT_ATTR_NOSYMFOLLOW | moreAttributes);
    }

    /** Lifts {@link #followNoLinks} from the whole tree, once the setup has mounted everything in it by path. */
    Step followLinksAgain() {
        return SyscallSteps.mountSetattr(
                "follow links again in the new root and every mount below it",
                at("/"),
                true,
                0,
                SyscallSteps.MOUNT_ATTR_NOSYMFOLLOW);
    }

    /** Detaches the mount at {@code containerPath} and every one below it, lazily, as umount -l does. */
    Step unmount(String what, String containerPath) {
        return detach("detach " + what + " from " + containerPath, at(containerPath));
    }

    static Step chdir(String description, String path) {
        return Step.call(description, LibcCall.CHDIR, Arg.text(path));
    }

    static Step detach(String description, String path) {
        return Step.call(description, LibcCall.UMOUNT2, Arg.text(path), Arg.word(MNT_DETACH));
    }
}
