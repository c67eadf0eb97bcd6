package io.isola.ns.mount;

import io.isola.spi.ClonedChild;
import io.isola.spi.Phase;
import io.isola.spi.support.ContainerTrees;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.IdMaps;
import io.isola.spi.support.OverlayLayers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image as the root: its read-only layers stacked by overlayfs under a writable layer of the
 * container's own, which is created before the container starts and removed, whole, when it is
 * released; the layers are never written. The overlay is mounted in the container's namespace
 * on the sandbox's empty mount point, so the host's mount table never sees it.
 *
 * <p>Whiteouts are character devices 0/0, which every overlayfs reads. Opaque directories are
 * marked in one xattr namespace per file system, probed: where it has user xattrs the overlay is
 * mounted with {@code userxattr} and reads {@code user.overlay.opaque} (the only kind a mount in a
 * user namespace may read, and the one the image store writes there); where it has none (tmpfs
 * before Linux 6.6) only root's mount without a user namespace works, reading {@code
 * trusted.overlay.opaque}, with redirects, metacopy and the index off as {@code userxattr} has
 * them, so that the writable layer holds every change whole. In a user namespace there, refused.
 */
final class OverlayRoot implements RootLayout {

    private static final Logger LOG = LoggerFactory.getLogger(OverlayRoot.class);
    /** mount(2) copies at most one page of options. */
    private static final int MAX_DATA = 4095;

    private final List<Path> layers;
    private final Path writable;
    private final boolean readOnly;
    private final String keepWhile;
    /** Whether the child reaches the layers through staged binds, and the paths by which it does. */
    private final boolean staged;

    private final List<String> childLayers;
    private final String childWritable;
    private final boolean userXattrs;
    private boolean created;
    /** Whether the writable layer is a stopped container's own, kept, that it takes up again. */
    private boolean resumed;

    private OverlayRoot(
            List<Path> layers,
            Path writable,
            boolean readOnly,
            String keepWhile,
            BindSources sources,
            boolean userXattrs) {
        this.layers = layers;
        this.userXattrs = userXattrs;
        this.writable = writable;
        this.readOnly = readOnly;
        this.keepWhile = keepWhile;
        this.staged = sources.stages();
        this.childLayers = layers.stream().map(sources::childPath).toList();
        this.childWritable = sources.childPath(writable);
    }

    static OverlayRoot of(List<String> layers, String writableLayer, boolean readOnly) {
        return of(layers, writableLayer, readOnly, null, BindSources.byPath(), false);
    }

    /**
     * {@code keepWhile}: the path whose existence keeps the writable layer after the container, or
     * null; {@code sources}: how the child reaches the layers (staged in a user namespace, so that a
     * store only host root may search works too: see {@link BindSources}); {@code userNamespace}:
     * whether the container's own user namespace mounts the overlay.
     */
    static OverlayRoot of(
            List<String> layers,
            String writableLayer,
            boolean readOnly,
            String keepWhile,
            BindSources sources,
            boolean userNamespace) {
        List<Path> real = new ArrayList<>();
        for (String layer : layers) {
            Path path = Path.of(layer);
            if (!Files.isDirectory(path)) {
                throw new IllegalArgumentException("image layer \"" + layer + "\": no such directory");
            }
            real.add(path);
        }
        Path writable = Path.of(writableLayer);
        // a stopped container started again takes up its own kept layer (Docker's start); any other is refused
        boolean resumed = Files.exists(writable, LinkOption.NOFOLLOW_LINKS) && LayerOwner.keptFor(writable, keepWhile);
        if (Files.exists(writable, LinkOption.NOFOLLOW_LINKS) && !resumed) {
            throw new IllegalArgumentException(
                    "writable layer \"" + writableLayer + "\": exists already, expected a new path");
        }
        // an image may list a layer twice (repeated empty layers); overlayfs refuses a lower directory
        // twice (ELOOP), and the lower copy could never show anything the upper one does not: drop it
        boolean userXattrs = userXattrs(writable, userNamespace);
        OverlayRoot root = new OverlayRoot(
                List.copyOf(new LinkedHashSet<>(real)), writable, readOnly, keepWhile, sources, userXattrs);
        root.resumed = resumed;
        if (root.data().length() > MAX_DATA) {
            throw new IllegalArgumentException("image with " + layers.size() + " layers: their paths take "
                    + root.data().length() + " bytes of overlayfs options, at most " + MAX_DATA + " fit in one mount");
        }
        return root;
    }

    /** Whether the writable layer's file system has user xattrs; refused in a user namespace when it has none. */
    private static boolean userXattrs(Path writable, boolean userNamespace) {
        boolean has;
        try {
            has = OverlayLayers.userXattrs(writable);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe the file system of the writable layer " + writable, e);
        }
        if (!has && userNamespace) {
            throw new IllegalArgumentException("an image in a user namespace: the file system of " + writable
                    + " has no user xattrs, from which overlayfs mounted in a user namespace reads opaque directories"
                    + " (userxattr; tmpfs has them from Linux 6.6, this is " + System.getProperty("os.version")
                    + "): keep the image store (ISOLA_ROOT) on a file system that has them, such as ext4, xfs or btrfs"
                    + (HostIdentity.current().isRoot()
                            ? ", or run the image without --userns, --uidmap and --gidmap"
                            : ""));
        }
        return has;
    }

    private String data() {
        return (userXattrs ? "userxattr" : "redirect_dir=off,index=off,metacopy=off") + ",lowerdir="
                + String.join(":", childLayers) + ",upperdir=" + childWritable + "/upper,workdir=" + childWritable
                + "/work";
    }

    @Override
    public String hostPath() {
        return SandboxRoot.mountPoint().toString();
    }

    @Override
    public void prepareHost() {
        try {
            SandboxRoot.createMountPoint();
            if (resumed) {
                created = true; // released (kept while its keeper exists) as a new one is
                LayerOwner.write(writable, 0, keepWhile, layers);
                return;
            }
            Files.createDirectories(writable.getParent());
            Files.createDirectory(writable);
            created = true;
            // modes set, not left to the umask: the container may put setuid-root files in upper,
            // which only the layer's owner may reach; upper itself is the container's / (0755)
            Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rwx------"));
            Files.createDirectory(writable.resolve("upper"));
            Files.setPosixFilePermissions(writable.resolve("upper"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectory(writable.resolve("work"));
            Files.setPosixFilePermissions(writable.resolve("work"), PosixFilePermissions.fromString("rwx------"));
            LayerOwner.write(writable, 0, keepWhile, layers);
        } catch (IOException e) {
            release();
            throw new UncheckedIOException("cannot create the container's writable layer " + writable, e);
        }
    }

    @Override
    public ContainerTree mount(PlannedSteps steps, MountCalls calls) {
        steps.add(
                Phase.FILESYSTEM, calls.mount("the image's layers (overlayfs)", "overlay", "/", "overlay", 0, data()));
        steps.checkpoint(Phase.FILESYSTEM, "the image is mounted");
        List<Path> all = new ArrayList<>();
        all.add(writable.resolve("upper"));
        all.addAll(layers);
        return new ContainerTree(new OverlayBacking(all));
    }

    @Override
    public Map<Path, String> lookedUpByPath() {
        Map<Path, String> paths = new LinkedHashMap<>();
        paths.put(SandboxRoot.mountPoint(), "mount point");
        if (!staged) {
            layers.forEach(layer -> paths.put(layer, "image layer"));
            paths.put(writable.resolve("upper"), "writable layer");
        }
        return paths;
    }

    /**
     * A rootless user's layers are the user's own files: a user namespace that does not map the
     * user's uid (--uidmap 0:SUB:N) would show them as nobody, and overlayfs there could not copy
     * them up (it keeps a file's owner, which must be mapped). Root idmaps such layers; a user
     * cannot: mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN in the user namespace that owns
     * the layers' file system, the host's. podman gives such a run a chowned copy of every layer.
     */
    @Override
    public void requireOwnable(IdMaps maps) {
        HostIdentity host = HostIdentity.current();
        if (host.isRoot()
                || maps.uids().stream()
                        .anyMatch(m -> host.uid() >= m.hostId() && host.uid() - m.hostId() < m.length())) {
            return;
        }
        throw new IllegalArgumentException("an image with uid maps "
                + maps.uids().stream()
                        .map(m -> m.containerId() + ":" + m.hostId() + ":" + m.length())
                        .toList() + " that leave out your uid " + host.uid() + ": its layers are your"
                + " files, which the container would see as nobody (65534) and overlayfs could not copy up, and only root may"
                + " idmap them (CAP_SYS_ADMIN over the host's file system); map your uid too, as podman's default does"
                + " (--uidmap 0:" + host.uid() + ":1 --uidmap 1:SUB:N), or run the image as root");
    }

    /**
     * The writable layer becomes the container root's (overlayfs creates files there as the
     * mounter, root inside), and the read-only layers owned by unmapped ids are idmapped, so the
     * overlay stacks host root's files as the container root's and copies them up as such.
     */
    @Override
    public void mapOwners(ClonedChild child, RootOwnership ownership) throws Exception {
        // upper and work are the container root's; their directory stays host root's (with the owner
        // file that sweeps trust), passable by the mapped root's group only, as Docker's userns-remap
        // keeps its per-range root 0710 root:GID: a host user whose subordinate ids cover the range
        // may not swap what isola reads or writes there
        ownership.letRootPass(writable);
        ownership.giveToRoot(List.of(writable.resolve("upper"), writable.resolve("work")));
        ownership.idmap(child, ownership.unmapped(layers), "image layer");
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    /** Records the container's first process as a user of the layer, for sweepers. */
    @Override
    public void started(long pid) {
        try {
            LayerOwner.write(writable, pid, keepWhile, layers);
        } catch (IOException e) {
            LOG.warn("cannot record the owner of the writable layer {}: {}", writable, e.toString());
        }
    }

    /**
     * Removes the writable layer, which only this container used; unless it is to be kept and
     * its keeper still exists (a container that ran, kept until {@code rm}).
     */
    @Override
    public void release() {
        if (!created) {
            return;
        }
        if (keepWhile != null && Files.exists(Path.of(keepWhile))) {
            LOG.debug("keeping the writable layer {} while {} exists", writable, keepWhile);
            created = false;
            return;
        }
        try {
            // the container wrote this tree, and a process of it may outlive the container's
            // first one: removed through descriptors, no link in it followed
            ContainerTrees.remove(writable);
            created = false;
        } catch (IOException e) {
            LOG.warn("cannot remove the writable layer {}: {}", writable, e.toString());
        }
    }
}
