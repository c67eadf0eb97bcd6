package io.isola.ns.mount;

import io.isola.api.Filesystem;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import io.isola.spi.ContainerBind;
import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.SyscallSteps;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Volumes, tmpfs mounts and the binds other isolators request, mounted parents first (by the depth of their target, as Docker does,
 * so that {@code -v a:/x/y -v b:/x} does not hide the first under the second).
 */
final class UserMounts {

    /** One of: a user's volume, a user's tmpfs mount, another isolator's requested bind. */
    private record Wanted(String target, Volume volume, TmpfsMount tmpfs, ContainerBind requested, Path source) {
        int depth() {
            return ContainerTree.components(target).size();
        }

        String what() {
            return volume != null ? "volume target" : tmpfs != null ? "tmpfs target" : requested.what() + " target";
        }
    }

    private final PlannedSteps steps;
    private final MountCalls calls;
    private final ContainerTree tree;
    private final BindSources sources;
    /** Volume sources to idmap ({@link Volume.Option#IDMAP}) and to give to the container's ids ({@link Volume.Option#SHIFT_OWNERS}). */
    private final List<Path> idmapped = new ArrayList<>(), shifted = new ArrayList<>();
    /** The container paths mounted on, as they resolved. */
    private final List<List<String>> targets = new ArrayList<>();

    UserMounts(PlannedSteps steps, MountCalls calls, ContainerTree tree) {
        this(steps, calls, tree, BindSources.byPath());
    }

    /** {@code sources} names the binds' host sources for the child. */
    UserMounts(PlannedSteps steps, MountCalls calls, ContainerTree tree, BindSources sources) {
        this.steps = steps;
        this.calls = calls;
        this.tree = tree;
        this.sources = sources;
    }

    /**
     * Every mount wanted, with its source checked on the host, in mount order. A requested bind
     * whose target a user mounts something on gives way to it (a user's {@code -v f:/etc/hosts}).
     */
    private static List<Wanted> checkedInOrder(Filesystem filesystem, List<ContainerBind> requested) {
        List<Wanted> wanted = new ArrayList<>();
        for (Volume volume : filesystem.volumes()) {
            wanted.add(new Wanted(volume.target(), volume, null, null, realSource(volume)));
        }
        for (TmpfsMount tmpfs : filesystem.tmpfs()) {
            wanted.add(new Wanted(tmpfs.target(), null, tmpfs, null, null));
        }
        List<List<String>> users =
                wanted.stream().map(w -> ContainerTree.components(w.target())).toList();
        for (ContainerBind bind : requested) {
            if (!users.contains(ContainerTree.components(bind.target()))) {
                wanted.add(new Wanted(bind.target(), null, null, bind, realSource(bind)));
            }
        }
        wanted.sort(Comparator.comparingInt(Wanted::depth));
        return List.copyOf(wanted);
    }

    /** Plans the volumes and tmpfs mounts; throws for a missing source or a refused target before any step is planned. */
    void add(Filesystem filesystem) {
        add(filesystem, List.of());
    }

    /** As above, with the binds other isolators requested, which are mounted like volumes. */
    void add(Filesystem filesystem, List<ContainerBind> requested) {
        for (Wanted wanted : checkedInOrder(filesystem, requested)) {
            boolean directory = wanted.source() == null || Files.isDirectory(wanted.source());
            ContainerTree.Resolved target =
                    place(wanted.what(), wanted.target(), directory, wanted.requested() != null);
            String path = target.containerPath();
            targets.add(target.path());
            if (wanted.volume() != null) {
                Volume volume = wanted.volume();
                if (volume.options().contains(Volume.Option.IDMAP)) {
                    idmapped.add(wanted.source());
                }
                if (volume.options().contains(Volume.Option.SHIFT_OWNERS)) {
                    shifted.add(wanted.source());
                }
                boolean recursive = !volume.options().contains(Volume.Option.NONRECURSIVE);
                steps.add(
                        Phase.FILESYSTEM,
                        calls.bind("volume " + wanted.source(), sources.childPath(wanted.source()), path, recursive));
                long attributes = attributes(volume);
                if (directory) {
                    // whoever else writes the source must not steer the mounts planned below it
                    attributes |= volume.readOnly() ? SyscallSteps.MOUNT_ATTR_RDONLY : 0;
                    steps.add(
                            Phase.FILESYSTEM,
                            calls.followNoLinks(
                                    volume.readOnly()
                                            ? "make " + path + " read-only and "
                                            : attributes != 0
                                                    ? "set " + volume.options() + " on " + path + " and "
                                                    : "",
                                    path,
                                    recursive,
                                    attributes));
                } else if (volume.readOnly()) {
                    steps.add(Phase.FILESYSTEM, calls.readOnly(path, recursive, attributes));
                } else if (attributes != 0) {
                    steps.add(
                            Phase.FILESYSTEM,
                            SyscallSteps.mountSetattr(
                                    "set " + volume.options() + " on " + path, calls.at(path), recursive, attributes));
                }
                propagation(filesystem, volume.target(), path);
                tree.mount(target.path(), Backing.host(wanted.source()));
            } else if (wanted.requested() != null) {
                ContainerBind bind = wanted.requested();
                steps.add(Phase.FILESYSTEM, calls.bind(bind.what(), sources.childPath(wanted.source()), path, true));
                if (bind.readOnly()) {
                    steps.add(Phase.FILESYSTEM, calls.readOnly(path, true, 0));
                }
                tree.mount(target.path(), Backing.host(wanted.source()));
            } else {
                TmpfsMount tmpfs = wanted.tmpfs();
                long flags = Steps.MS_NOSUID | Steps.MS_NODEV | (tmpfs.noexec() ? Steps.MS_NOEXEC : 0);
                String data = "mode=" + Integer.toOctalString(tmpfs.mode())
                        + (tmpfs.sizeBytes() > 0 ? ",size=" + tmpfs.sizeBytes() : "");
                steps.add(Phase.FILESYSTEM, calls.mount("a tmpfs", "tmpfs", path, "tmpfs", flags, data));
                propagation(filesystem, tmpfs.target(), path);
                tree.mount(target.path(), Backing.empty());
            }
        }
    }

    /** After the mount, as runc sets it: a mount's propagation is its own once it exists. */
    private void propagation(Filesystem filesystem, String target, String path) {
        filesystem
                .propagation(target)
                .ifPresent(mode -> steps.add(
                        Phase.FILESYSTEM,
                        Steps.mount(
                                "make " + path + " " + mode.mode(), null, calls.at(path), null, mode.flags(), null)));
    }

    /**
     * Resolves a target inside the container and plans the creation of what is missing of it; a
     * target that resolves into proc or sysfs, or whose kind does not match the source's, is refused.
     * What is created for a {@code temporary} mount (another isolator's request) is recorded, so
     * that a root file system directory loses it again.
     */
    private ContainerTree.Resolved place(String what, String target, boolean directory, boolean temporary) {
        ContainerTree.Resolved resolved = tree.resolve(what, target);
        String path = resolved.containerPath();
        String shown =
                path.equals(target) ? "\"" + target + "\"" : "\"" + target + "\" (" + path + " in the container)";
        if (resolved.path().isEmpty()) {
            throw new IllegalArgumentException(
                    what + " " + shown + ": resolves to the container's root, expected a path below it");
        }
        if (!tree.creatable(resolved.path())) {
            throw new IllegalArgumentException(what + " " + shown
                    + ": inside a kernel file system (/proc, /sys, /dev/pts)," + " where nothing may be mounted");
        }
        if (resolved.last() == Entry.FILE && directory) {
            throw new IllegalArgumentException(
                    what + " " + shown + ": is a file in the container, the source is a directory");
        }
        if (resolved.last() == Entry.DIRECTORY && !directory) {
            throw new IllegalArgumentException(
                    what + " " + shown + ": is a directory in the container, the source is a file");
        }
        int count = resolved.path().size();
        for (int i = resolved.existing(); i < count; i++) {
            String prefix = resolved.prefix(i + 1);
            boolean lastComponent = i == count - 1;
            if (temporary) {
                tree.creating(
                        resolved.path().subList(0, i + 1)); // removed again afterwards, unlike a volume's (as runc)
            }
            steps.add(Phase.FILESYSTEM, lastComponent && !directory ? calls.touch(prefix) : calls.mkdir(prefix, 0755));
        }
        return resolved;
    }

    /** The target of the mount that hides {@code containerPath} or a directory above it, or null when none does. */
    String covering(String containerPath) {
        List<String> path = ContainerTree.components(containerPath);
        return targets.stream()
                .filter(target -> path.size() >= target.size()
                        && path.subList(0, target.size()).equals(target))
                .map(target -> "/" + String.join("/", target))
                .findFirst()
                .orElse(null);
    }

    /** The volumes' sources to idmap in a user namespace, as the host resolved them. */
    List<Path> idmapped() {
        return List.copyOf(idmapped);
    }

    /** The volumes' sources whose owners are shifted into a user namespace (the container's own new volumes). */
    List<Path> shifted() {
        return List.copyOf(shifted);
    }

    /** The mount_setattr attributes of a volume's options (a bind mount takes no flags of its own). */
    private static long attributes(Volume volume) {
        long attributes = 0;
        for (Volume.Option option : volume.options()) {
            attributes |= switch (option) {
                case NOSUID -> SyscallSteps.MOUNT_ATTR_NOSUID;
                case NODEV -> SyscallSteps.MOUNT_ATTR_NODEV;
                case NOEXEC -> SyscallSteps.MOUNT_ATTR_NOEXEC;
                case NONRECURSIVE, IDMAP, SHIFT_OWNERS -> 0;
            };
        }
        return attributes;
    }

    /** A requested bind's source is the isolator's own file: missing, it is that isolator's fault, not the user's. */
    private static Path realSource(ContainerBind bind) {
        try {
            return bind.source().toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException(bind.what() + " " + bind.source() + ": cannot be read (" + e + ")", e);
        }
    }

    private static Path realSource(Volume volume) {
        try {
            return Path.of(volume.source()).toRealPath();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(
                    "volume source \"" + volume.source() + "\": no such file or directory on the host");
        } catch (AccessDeniedException e) {
            long uid = HostIdentity.current().uid();
            throw new IllegalArgumentException("volume source \"" + volume.source() + "\": uid " + uid
                    + " may not reach it"
                    + " ("
                    + unsearchable(Path.of(volume.source()).toAbsolutePath().normalize()) + "); give a path that uid "
                    + uid
                    + " can search");
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "volume source \"" + volume.source() + "\": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** The first directory above {@code path} that this process may not search, as the kernel found it. */
    private static String unsearchable(Path path) {
        for (Path dir = path.getRoot();
                dir != null && !dir.equals(path);
                dir = dir.resolve(path.getName(dir.getNameCount()))) {
            if (!Files.isExecutable(dir)) {
                try {
                    return "it may not search " + dir + ", mode "
                            + PosixFilePermissions.toString(
                                    Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS))
                            + ", owner "
                            + Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
                } catch (IOException e) {
                    return "it may not search " + dir;
                }
            }
        }
        return "permission denied";
    }
}
