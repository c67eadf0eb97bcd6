package io.isola.launcher.volume;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.isola.internal.security.DirectoryModes;
import io.isola.launcher.image.ImageStore;
import io.isola.launcher.image.SeedSource;
import io.isola.launcher.image.SubordinateTrees;
import io.isola.launcher.image.TreeSize;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.LockFile;
import io.isola.lifecycle.StateStore;
import io.isola.spi.support.ContainerTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker's local volumes, under the image store:
 * <pre>
 *   ROOT/volumes/              0700
 *   ROOT/volumes/NAME/         0700: volume.json ({@link VolumeRecord}) and _data/
 *   ROOT/volumes/NAME/_data/   what the containers see; its owner and mode the image's (copy-up), else root 0755
 *   ROOT/volumes/.lock         held while a volume is made, seeded or removed
 * </pre>
 * Owner-only: a volume may hold setuid files a container wrote, and its data is the user's.
 * A container in a user namespace still reaches its volumes: host root stages each bind source
 * before the container's root looks ({@code BindSources} in the mount isolator).
 *
 * <p>Which containers use a volume is not recorded here: each container's state lists its binds
 * ({@code SavedSpec.volumes}), so a volume is in use exactly while a container that binds its
 * {@code _data} exists, however that container was removed.
 */
public final class VolumeStore {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeStore.class);
    private static final int PRIVATE = 0700;
    private static final String RECORD = "volume.json", DATA = "_data";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ImageStore images;
    private final Path root;

    public VolumeStore(ImageStore images) {
        this.images = images;
        this.root = images.root().resolve("volumes");
    }

    public static VolumeStore fromEnvironment() {
        return new VolumeStore(ImageStore.fromEnvironment());
    }

    /** The directory containers see of volume {@code name} (it need not exist yet). */
    public Path data(String name) {
        return root.resolve(VolumeName.check(name)).resolve(DATA);
    }

    /** The volume {@code name}, if there is one. */
    public Optional<VolumeRecord> find(String name) {
        Path file = root.resolve(VolumeName.check(name)).resolve(RECORD);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), VolumeRecord.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read volume " + name + " (" + file + ")", e);
        }
    }

    /** The volume {@code name}, or an error naming it. */
    public VolumeRecord get(String name) {
        return find(name)
                .orElseThrow(() -> new IllegalArgumentException(
                        "volume \"" + name + "\": no such volume (see 'isola volume ls')"));
    }

    /** Every volume, by name. */
    public List<VolumeRecord> list() {
        List<VolumeRecord> all = new ArrayList<>();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return all;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (VolumeName.isValid(name)) {
                    find(name).ifPresent(all::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the volumes in " + root, e);
        }
        return all;
    }

    /** Makes volume {@code name} unless it exists, as {@code docker volume create}; returns it. */
    public VolumeRecord create(String name, Map<String, String> labels) {
        VolumeName.check(name);
        try (LockFile lock = lock()) {
            return createLocked(name, labels, null).record();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create volume " + name + " in " + root, e);
        }
    }

    private record Made(VolumeRecord record, boolean isNew) {}

    /** A volume ready to bind: its data directory, and whether this call made it. */
    public record Prepared(Path data, boolean made) {}

    private Made createLocked(String name, Map<String, String> labels, String containerId) throws IOException {
        Optional<VolumeRecord> existing = find(name);
        if (existing.isPresent()) {
            return new Made(existing.get(), false);
        }
        // made aside and renamed into place: a volume is either whole or absent
        Path partial = Files.createTempDirectory(root, ".new-");
        try {
            Files.setAttribute(partial, "unix:mode", PRIVATE, LinkOption.NOFOLLOW_LINKS);
            Path data = Files.createDirectory(partial.resolve(DATA));
            Files.setAttribute(data, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
            VolumeRecord record = new VolumeRecord(
                    name,
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    labels == null || labels.isEmpty() ? null : Map.copyOf(labels),
                    containerId);
            Files.write(partial.resolve(RECORD), JSON.writeValueAsBytes(record));
            Files.move(partial, root.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            return new Made(record, true);
        } catch (IOException | RuntimeException e) {
            ContainerTrees.remove(partial);
            if (e instanceof FileAlreadyExistsException || e instanceof DirectoryNotEmptyException) {
                throw new IllegalArgumentException(
                        "volume \"" + name + "\": " + root.resolve(name)
                                + " exists but holds no volume; remove it by hand",
                        e);
            }
            throw e;
        }
    }

    /**
     * The host directory to bind at {@code target} for {@code name}: the volume is made when
     * missing and, when it is empty and {@code copyUp}, filled with what {@code source} (the image's
     * layers or the --rootfs directory) holds at {@code target}, as Docker does. A volume this call made is removed again
     * when the copy fails, and is recorded as made for {@code containerId} ({@link #removeMadeFor}).
     */
    public Prepared prepare(
            String name,
            Map<String, String> labels,
            String target,
            SeedSource source,
            boolean copyUp,
            String containerId) {
        try (LockFile lock = lock()) {
            Made made = createLocked(name, labels, containerId);
            Path data = data(name);
            if (copyUp && source != SeedSource.NONE && isEmpty(data)) {
                try {
                    source.seed(target, data, root.resolve(name));
                } catch (IOException | RuntimeException e) {
                    if (made.isNew()) {
                        ContainerTrees.remove(root.resolve(name));
                    }
                    throw new IllegalArgumentException(
                            "volume \"" + name + "\": cannot copy the "
                                    + (source instanceof SeedSource.Directory ? "rootfs's " : "image's ") + target
                                    + " into it: " + e.getMessage(),
                            e);
                }
            }
            return new Prepared(data, made.isNew());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare volume " + name + " in " + root, e);
        }
    }

    /** The containers of {@code containers} that bind volume {@code name}, running or not. */
    public List<ContainerState> users(String name, StateStore containers) {
        Path data = data(name).toAbsolutePath().normalize();
        List<ContainerState> users = new ArrayList<>();
        for (ContainerState state : containers.list()) {
            if (volumeData(state).contains(data)) {
                users.add(state);
            }
        }
        return users;
    }

    /** The volumes of this store that {@code state} binds, by name. */
    public List<String> namesBoundBy(ContainerState state) {
        List<String> names = new ArrayList<>();
        for (Path data : volumeData(state)) {
            nameOf(data).ifPresent(names::add);
        }
        return names;
    }

    /** The name of the volume whose data {@code source} (a bind's source) is, if it is one of this store's. */
    public Optional<String> nameOf(Path source) {
        Path data = source.toAbsolutePath().normalize();
        Path dir = data.getParent();
        if (dir == null
                || !root.toAbsolutePath().normalize().equals(dir.getParent())
                || !data.getFileName().toString().equals(DATA)) {
            return Optional.empty();
        }
        return Optional.of(dir.getFileName().toString()).filter(VolumeName::isValid);
    }

    private static List<Path> volumeData(ContainerState state) {
        if (state.isola() == null
                || state.isola().spec() == null
                || state.isola().spec().volumes() == null) {
            return List.of();
        }
        return state.isola().spec().volumes().stream()
                .map(v -> Path.of(v.source()).toAbsolutePath().normalize())
                .toList();
    }

    /**
     * Removes volume {@code name} and its data; refused, naming them, while containers use it
     * (running or stopped), as Docker refuses even with {@code -f}. Returns the bytes it held.
     */
    public long remove(String name, StateStore containers) {
        try (LockFile lock = lock()) {
            get(name);
            List<ContainerState> users = users(name, containers);
            if (!users.isEmpty()) {
                throw new VolumeInUseException(name, users);
            }
            Path dir = root.resolve(name);
            long size = TreeSize.orZero(dir.resolve(DATA));
            try {
                ContainerTrees.remove(dir);
            } catch (IOException e) {
                if (!SubordinateTrees.needed()) {
                    throw e;
                }
                // a rootless container's files may be its subordinate ids' (a volume given to its root):
                // removed in the user's namespace, a JVM of its own, only when the user's own process cannot
                SubordinateTrees.remove(dir);
            }
            return size;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove volume " + name, e);
        }
    }

    /**
     * Removes the anonymous volumes that {@code removed} (a container whose state is gone) bound
     * and no other container binds, as {@code docker rm -v} and {@code run --rm} do; a volume that
     * cannot be removed is warned about, not thrown for: the container is gone already.
     */
    public List<String> removeAnonymous(ContainerState removed, StateStore containers) {
        List<String> gone = new ArrayList<>();
        for (String name : namesBoundBy(removed)) {
            try {
                if (find(name).map(VolumeRecord::anonymous).orElse(false)) {
                    remove(name, containers);
                    gone.add(name);
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "cannot remove the anonymous volume {} of container {}: {}",
                        name,
                        removed.id(),
                        e.getMessage());
            }
        }
        return gone;
    }

    /**
     * Removes what a run that failed to start made: the volumes {@code failed} binds that were
     * made for it (named ones too) or are anonymous, unless another container uses them.
     */
    public void removeMadeFor(ContainerState failed, StateStore containers) {
        for (String name : namesBoundBy(failed)) {
            try {
                if (find(name)
                        .map(v -> v.anonymous() || failed.id().equals(v.createdFor()))
                        .orElse(false)) {
                    remove(name, containers);
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "cannot remove volume {}, made for container {} that did not start: {}",
                        name,
                        failed.id(),
                        e.getMessage());
            }
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private LockFile lock() throws IOException {
        images.secure(true);
        DirectoryModes.ensure(root, PRIVATE, "volume store");
        return LockFile.ownerOnly(root.resolve(".lock"));
    }

    /** Thrown when a volume to remove is bound by containers; names them. */
    public static final class VolumeInUseException extends IllegalArgumentException {
        VolumeInUseException(String name, List<ContainerState> users) {
            super("volume \"" + name + "\" is in use by " + (users.size() == 1 ? "container " : "containers ")
                    + String.join(
                            ", ",
                            users.stream().map(VolumeInUseException::describe).toList())
                    + ": remove " + (users.size() == 1 ? "it" : "them") + " first ('isola rm')");
        }

        private static String describe(ContainerState state) {
            String shortId = state.id().length() > 12 ? state.id().substring(0, 12) : state.id();
            return state.name() == null ? shortId : shortId + " (" + state.name() + ")";
        }
    }
}
