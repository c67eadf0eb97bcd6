package io.isola.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The container's view of files: its root, and what is mounted into it. A spec extension ({@code
 * ContainerSpec.builder(...).with(filesystem)}); the mount isolator reads it.
 *
 * <p>Without a root directory the container gets the default sandbox: the host's files read-only,
 * with its own {@code /proc}, {@code /dev}, {@code /sys} and empty, private {@code /tmp} and {@code
 * /run}, like {@code bwrap --ro-bind / /}. A spec without this extension gets that sandbox too.
 */
public final class Filesystem {

    private final String rootfs;
    private final List<String> layers;
    private final String writableLayer;
    private final String keepWritableLayerWhile;
    private final String image;
    private final boolean readOnly;
    private final List<Volume> volumes;
    private final List<TmpfsMount> tmpfs;
    private final Map<String, RootPropagation> propagation;

    private Filesystem(Builder b) {
        this.rootfs = b.rootfs;
        this.layers = List.copyOf(b.layers);
        this.writableLayer = b.writableLayer;
        this.keepWritableLayerWhile = b.keepWritableLayerWhile;
        this.image = b.image;
        this.readOnly = b.readOnly;
        this.volumes = List.copyOf(b.volumes);
        this.tmpfs = List.copyOf(b.tmpfs);
        this.propagation = Map.copyOf(b.propagation);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The directory on the host that becomes the container's {@code /}, or empty for the default sandbox. */
    public Optional<String> rootfs() {
        return Optional.ofNullable(rootfs);
    }

    /**
     * Read-only layer directories, the top one first, that overlayfs stacks into the container's
     * root (an image), or empty. Whiteouts in them are character devices 0/0 (any kernel) or
     * overlayfs's xattr form ({@code user.overlay.whiteout}, Linux 6.7); opaque directories are
     * marked {@code user.overlay.opaque=y} where the file system has user xattrs (the overlay is
     * then mounted with {@code userxattr}), else {@code trusted.overlay.opaque=y} (root without a
     * user namespace only).
     */
    public List<String> layers() {
        return layers;
    }

    /**
     * The host directory that holds the container's own writable layer on top of {@link
     * #layers()}: created for the container, and removed with everything in it when the container
     * is released, so the layers themselves never change.
     */
    public Optional<String> writableLayer() {
        return Optional.ofNullable(writableLayer);
    }

    /**
     * A path whose existence keeps the writable layer after the container has ended (the
     * container's state directory, for containers run without {@code --rm}, as Docker keeps a
     * stopped container's layer until {@code rm}); empty: the layer is removed with the container.
     * The layer is also removed at release when this path is gone by then (a start that failed).
     *
     * <p>The mount isolator writes {@code owner} next to {@code upper} and {@code work} in the
     * writable layer: line 1 "PID STARTTIME" of the process that mounted it, line 2 "PID
     * STARTTIME" of the container's first process (once cloned), line 3 this path (or empty),
     * then {@link #layers()}, one a line (what the container stands on, for image stores). A
     * sweeper removes a layer whose path is gone, or, without one, whose two processes are gone.
     */
    public Optional<String> keepWritableLayerWhile() {
        return Optional.ofNullable(keepWritableLayerWhile);
    }

    /** The image the layers come from, as the user named it (a record for inspect and commit), or empty. */
    public Optional<String> image() {
        return Optional.ofNullable(image);
    }

    /** Whether the root is mounted read-only (volumes and tmpfs mounts keep their own mode). */
    public boolean readOnly() {
        return readOnly;
    }

    /** Host paths bound into the container, mounted in this order. */
    public List<Volume> volumes() {
        return volumes;
    }

    /** tmpfs mounts, mounted after the volumes, in this order. */
    public List<TmpfsMount> tmpfs() {
        return tmpfs;
    }

    /**
     * The mount propagation of a volume's or tmpfs mount's target, set after it is mounted (OCI's
     * {@code shared}, {@code rslave}, ... options, Docker's {@code bind-propagation}); empty:
     * private, as the container's tree is. A recursive root propagation set later wins, as in runc.
     */
    public Optional<RootPropagation> propagation(String target) {
        return Optional.ofNullable(propagation.get(target));
    }

    /** Whether these are the default settings: the sandbox, with nothing mounted into it. */
    public boolean isDefault() {
        return rootfs == null && layers.isEmpty() && !readOnly && volumes.isEmpty() && tmpfs.isEmpty();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.rootfs = rootfs;
        b.layers.addAll(layers);
        b.writableLayer = writableLayer;
        b.keepWritableLayerWhile = keepWritableLayerWhile;
        b.image = image;
        b.readOnly = readOnly;
        b.volumes.addAll(volumes);
        b.tmpfs.addAll(tmpfs);
        b.propagation.putAll(propagation);
        return b;
    }

    @Override
    public String toString() {
        return "Filesystem[rootfs=" + rootfs + ", layers=" + layers.size() + ", readOnly=" + readOnly + ", volumes="
                + volumes + ", tmpfs=" + tmpfs + "]";
    }

    public static final class Builder {
        private String rootfs;
        private final List<String> layers = new ArrayList<>();
        private String writableLayer;
        private String keepWritableLayerWhile;
        private String image;
        private boolean readOnly;
        private final List<Volume> volumes = new ArrayList<>();
        private final List<TmpfsMount> tmpfs = new ArrayList<>();
        private final Map<String, RootPropagation> propagation = new HashMap<>();

        private Builder() {}

        /** The host directory to use as the container's root; null for the default sandbox. */
        public Builder rootfs(String directory) {
            this.rootfs = directory;
            return this;
        }

        /**
         * An image as the root: {@code layers} top first, and the host directory for the
         * container's writable layer (which must not exist yet).
         */
        public Builder layers(List<String> layers, String writableLayer) {
            this.layers.clear();
            this.layers.addAll(layers);
            this.writableLayer = writableLayer;
            return this;
        }

        /** Keeps the writable layer while {@code path} exists (see {@link Filesystem#keepWritableLayerWhile()}); null: never. */
        public Builder keepWritableLayerWhile(String path) {
            this.keepWritableLayerWhile = path;
            return this;
        }

        /** Names the image the layers come from (recorded, not used to mount). */
        public Builder image(String name) {
            this.image = name;
            return this;
        }

        public Builder readOnly(boolean value) {
            this.readOnly = value;
            return this;
        }

        public Builder volume(Volume volume) {
            volumes.add(Objects.requireNonNull(volume, "volume"));
            return this;
        }

        /** The propagation of the volume or tmpfs mount at {@code target} (validated by {@link RootPropagation}). */
        public Builder propagation(String target, String mode) {
            Paths.requireAbsolute("mount target", target);
            propagation.put(target, new RootPropagation(mode));
            return this;
        }

        public Builder tmpfs(TmpfsMount mount) {
            tmpfs.add(Objects.requireNonNull(mount, "tmpfs"));
            return this;
        }

        /** Checks the settings together: an absolute root, and no two mounts on the same target. */
        public Filesystem build() {
            if (rootfs != null) {
                Paths.requireAbsolute("root file system", rootfs);
            }
            if (!layers.isEmpty()) {
                if (rootfs != null) {
                    throw new IllegalArgumentException("root file system \"" + rootfs
                            + "\": expected either a root directory or image layers, not both");
                }
                for (String layer : layers) {
                    Paths.requireAbsolute("image layer", layer);
                    if (layer.contains(":") || layer.contains(",")) {
                        throw new IllegalArgumentException("image layer \"" + layer
                                + "\": expected a path without ':' or ',' (overlayfs separates its options with them)");
                    }
                }
                Paths.requireAbsolute("writable layer", writableLayer);
                if (keepWritableLayerWhile != null) {
                    Paths.requireAbsolute("the writable layer's keeper", keepWritableLayerWhile);
                }
                if (writableLayer.contains(":") || writableLayer.contains(",")) {
                    throw new IllegalArgumentException(
                            "writable layer \"" + writableLayer + "\": expected a path without ':' or ','");
                }
            }
            Set<String> targets = new HashSet<>();
            for (Volume volume : volumes) {
                requireUnique(targets, volume.target());
            }
            for (TmpfsMount mount : tmpfs) {
                requireUnique(targets, mount.target());
            }
            for (String target : propagation.keySet()) {
                if (volumes.stream().noneMatch(v -> v.target().equals(target))
                        && tmpfs.stream().noneMatch(t -> t.target().equals(target))) {
                    throw new IllegalArgumentException(
                            "mount propagation of \"" + target + "\": no volume or tmpfs mount there");
                }
            }
            return new Filesystem(this);
        }

        private static void requireUnique(Set<String> targets, String target) {
            String normal = Path.of(target).normalize().toString();
            if (!targets.add(normal)) {
                throw new IllegalArgumentException(
                        "mount target \"" + target + "\": used twice, expected one volume or tmpfs per container path");
            }
        }
    }
}
