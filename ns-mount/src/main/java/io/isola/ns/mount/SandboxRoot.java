package io.isola.ns.mount;

import io.isola.spi.Phase;
import io.isola.spi.Steps;
import io.isola.spi.support.SyscallSteps;
import io.isola.spi.support.UserNamespaceView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The default sandbox, when no root file system is given: the host's files read-only, like {@code
 * bwrap --ro-bind / /}, without the host's {@code /proc}, {@code /dev}, {@code /sys}, {@code /tmp},
 * {@code /run} and {@code /root}.
 *
 * <p>The root is a tmpfs of the container's own. Each top-level directory of the host is bound
 * into it recursively and made read-only, nosuid and nodev with mount_setattr (a remount would
 * only change the top mount, not the ones below it); top-level links are copied; {@code /tmp} and
 * {@code /run} are empty tmpfs mounts; {@code /root} is an empty directory. Building the root from
 * the pieces, instead of binding {@code /} and covering parts of it, means that nothing of the
 * host's {@code /tmp} or {@code /root} is in the container's mount table to be uncovered.
 */
final class SandboxRoot implements RootLayout {

    /** Host top-level entries the sandbox replaces with its own. */
    private static final Set<String> REPLACED = Set.of("proc", "dev", "sys", "tmp", "run", "root");

    private static final long HOST_BIND_ATTRIBUTES = SyscallSteps.MOUNT_ATTR_NOSUID | SyscallSteps.MOUNT_ATTR_NODEV;

    private final Map<String, Entry> hostTop;

    private SandboxRoot(Map<String, Entry> hostTop) {
        this.hostTop = hostTop;
    }

    /** Reads the host's top-level entries now, before the container starts. */
    static SandboxRoot ofHost() {
        Map<String, Entry> top = new LinkedHashMap<>();
        Backing host = Backing.host(Path.of("/"));
        try (Stream<Path> entries = Files.list(Path.of("/"))) {
            for (Path entry : entries.sorted().toList()) {
                String name = entry.getFileName().toString();
                if (!REPLACED.contains(name)) {
                    top.put(name, host.lookup(List.of(name)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the host's /", e);
        }
        return new SandboxRoot(top);
    }

    @Override
    public String hostPath() {
        return mountPoint().toString();
    }

    @Override
    public Map<Path, String> lookedUpByPath() {
        return Map.of(mountPoint(), "mount point");
    }

    @Override
    public void prepareHost() {
        createMountPoint();
    }

    /** The empty directory a root tmpfs or an image's overlay is mounted on in the child ({@link HostMountPoints}). */
    static Path mountPoint() {
        return HostMountPoints.root();
    }

    static void createMountPoint() {
        HostMountPoints.create(mountPoint(), "sandbox's mount point");
    }

    /** The uid naming this user's directories in /tmp: the user outside a rootless engine's namespace ({@link io.isola.spi.support.UserNamespaceView}). */
    static long directoryUid() {
        return UserNamespaceView.current().directoryUid(uid());
    }

    static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ContainerTree mount(PlannedSteps steps, MountCalls calls) {
        steps.add(
                Phase.FILESYSTEM,
                calls.mount(
                        "the sandbox's root tmpfs",
                        "tmpfs",
                        "/",
                        "tmpfs",
                        Steps.MS_NOSUID | Steps.MS_NODEV,
                        "mode=755,size=1m"));
        steps.checkpoint(Phase.FILESYSTEM, "the sandbox's root is mounted");

        Map<String, Entry> layout = new LinkedHashMap<>();
        for (var e : hostTop.entrySet()) {
            String path = "/" + e.getKey();
            if (e.getValue() instanceof Entry.Link link) {
                steps.add(Phase.FILESYSTEM, calls.symlink(link.target(), path));
                layout.put(e.getKey(), link);
            } else if (e.getValue() == Entry.DIRECTORY || e.getValue() == Entry.FILE) {
                boolean directory = e.getValue() == Entry.DIRECTORY;
                steps.add(Phase.FILESYSTEM, directory ? calls.mkdir(path, 0755) : calls.touch(path));
                steps.add(Phase.FILESYSTEM, calls.bind("the host's " + path, path, path, true));
                steps.add(Phase.FILESYSTEM, calls.readOnly(path, true, HOST_BIND_ATTRIBUTES));
                layout.put(e.getKey(), e.getValue());
            }
        }
        for (String own : List.of("tmp", "run")) {
            steps.add(Phase.FILESYSTEM, calls.mkdir("/" + own, 0755));
            steps.add(
                    Phase.FILESYSTEM,
                    calls.mount(
                            "an empty tmpfs",
                            "tmpfs",
                            "/" + own,
                            "tmpfs",
                            Steps.MS_NOSUID | Steps.MS_NODEV,
                            own.equals("tmp") ? "mode=1777" : "mode=755"));
            layout.put(own, Entry.DIRECTORY);
        }
        steps.add(Phase.FILESYSTEM, calls.mkdir("/root", 0700));
        layout.put("root", Entry.DIRECTORY);

        ContainerTree tree = new ContainerTree(Backing.laidOut(layout));
        for (var e : hostTop.entrySet()) {
            if (e.getValue() == Entry.DIRECTORY || e.getValue() == Entry.FILE) {
                tree.mount("/" + e.getKey(), Backing.host(Path.of("/", e.getKey())));
            }
        }
        tree.mount("/tmp", Backing.empty());
        tree.mount("/run", Backing.empty());
        return tree;
    }

    @Override
    public boolean readOnly() {
        return true;
    }
}
