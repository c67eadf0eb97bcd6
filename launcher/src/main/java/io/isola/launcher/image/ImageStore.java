package io.isola.launcher.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.isola.internal.security.DirectoryModes;
import io.isola.lifecycle.LockFile;
import io.isola.spi.support.ContainerTrees;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images on local disk:
 * <pre>
 *   ROOT/layers/sha256/HEX/   a layer, extracted once, whatever number of images use it;
 *                             whiteouts as character devices 0/0 (see {@link LayerExtractor})
 *   ROOT/format               "2": every layer has device whiteouts ({@link WhiteoutUpgrade})
 *   ROOT/images/NAME.json     an image: its layers by digest and its config
 *   ROOT/blobs/sha256/HEX     image configs, by digest (an image's id), as imported or committed
 *   ROOT/containers/ID/       a container's writable layer (the mount isolator's): upper/, work/,
 *                             owner; kept after a container run without --rm until 'isola rm'
 *   ROOT/tmp/                 imports in progress, on the same file system so that a finished
 *                             layer is renamed into place atomically
 *   ROOT/lock                 held while an import or a removal changes the store
 * </pre>
 * The root is {@code /var/lib/isola} unless {@code isola.root} (system property) or {@code
 * ISOLA_ROOT} says otherwise.
 *
 * <p>Only its owner reaches what it holds (a layer may hold setuid-root files, and so may a
 * container's writable layer after {@code chmod 4755}): {@link #secure} makes and keeps ROOT,
 * layers/, layers/sha256/ and containers/ 0711, everything else 0700, whatever the umask, and
 * narrows a store that an older isola made open. 0711 rather than 0700 on the way to a layer
 * lets a container's root under {@code --userns} (a mapped uid that mounts the overlay in its own
 * user namespace) walk to its layers, as Docker makes /var/lib/docker 0711 under userns-remap;
 * each layer and each container's directory is 0700, and under {@code --userns} the mapped root
 * owns its container's directory and reaches its idmapped layers as their owner.
 */
public final class ImageStore {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.:/@-]{0,254}");
    /**
     * The mapper, made on first use: every command sweeps the writable layers through this
     * class ({@link ContainerLayers#sweepQuietly}), which needs paths only, and making a mapper
     * loads Jackson (~50 ms of a cold CLI that ends in a few hundred).
     */
    static ObjectMapper json() {
        return Json.MAPPER;
    }

    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Stores whose existing layers and containers were narrowed by this JVM (the resident server runs many commands). */
    private static final Set<Path> NARROWED = ConcurrentHashMap.newKeySet();

    private static final int TRAVERSE = 0711, PRIVATE = 0700;
    private static final Logger LOG = LoggerFactory.getLogger(ImageStore.class);

    private final Path root;

    public ImageStore(Path root) {
        this.root = root;
    }

    /**
     * {@code isola.root} or {@code ISOLA_ROOT}; else /var/lib/isola for root and, for any other
     * user (rootless), a directory of the user's own, {@code $XDG_DATA_HOME/isola} or
     * {@code ~/.local/share/isola}, as podman keeps rootless images in the user's home: the
     * layers it unpacks are then the user's, whose uid is root inside.
     */
    public static ImageStore fromEnvironment() {
        String explicit = System.getProperty("isola.root", System.getenv("ISOLA_ROOT"));
        if (explicit != null && !explicit.isEmpty()) {
            return new ImageStore(Path.of(explicit));
        }
        if (HostIdentity.current().isRoot()) {
            return new ImageStore(Path.of("/var/lib/isola"));
        }
        String data = System.getenv("XDG_DATA_HOME");
        return new ImageStore(
                data != null && data.startsWith("/")
                        ? Path.of(data, "isola")
                        : Path.of(System.getProperty("user.home"), ".local", "share", "isola"));
    }

    public Path root() {
        return root;
    }

    /**
     * Makes the store's directories with their modes ({@code create}), or narrows those that
     * exist; then, once per JVM and store, each layer's and container's directory. Returns this.
     */
    public ImageStore secure(boolean create) {
        if (create) {
            if (root.getParent() != null && !Files.isDirectory(root.getParent())) {
                try {
                    Files.createDirectories(root.getParent());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create the image store's parent " + root.getParent(), e);
                }
            }
            DirectoryModes.ensure(root, TRAVERSE, "image store");
        } else if (!DirectoryModes.narrowIfPresent(root, TRAVERSE, "image store")) {
            return this;
        }
        for (String dir : List.of("layers", "layers/sha256", "containers")) {
            DirectoryModes.ensure(root.resolve(dir), TRAVERSE, "image store's directory");
        }
        for (String dir : List.of("images", "blobs", "tmp")) {
            DirectoryModes.ensure(root.resolve(dir), PRIVATE, "image store's directory");
        }
        if (NARROWED.add(root.toAbsolutePath().normalize())) {
            narrowEach(root.resolve("layers/sha256"), "image layer");
            narrowEach(root.resolve("containers"), "container's writable layer");
            try {
                WhiteoutUpgrade.ifNeeded(this);
            } catch (IOException e) {
                // the layers still work on kernels that read xattr whiteouts (6.7): said, not fatal
                LOG.warn(
                        "image store {}: cannot rewrite its layers' xattr whiteouts as character devices: {}",
                        root,
                        e.toString());
            }
        }
        return this;
    }

    /** Mode 0700 on a new layer's directory, whatever the umask left. */
    static Path makePrivate(Path dir) throws IOException {
        Files.setAttribute(dir, "unix:mode", PRIVATE, LinkOption.NOFOLLOW_LINKS);
        return dir;
    }

    private static void narrowEach(Path dir, String what) {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    DirectoryModes.narrowIfPresent(entry, PRIVATE, what);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The directory of a layer, by the digest of its uncompressed tar ("sha256:HEX"). */
    public Path layer(String diffId) {
        return root.resolve("layers").resolve(diffId.replace(':', '/'));
    }

    /** Where a container's writable layer goes. */
    public Path containerLayer(String containerId) {
        secure(true);
        return root.resolve("containers").resolve(containerId);
    }

    /** Where the config blob with this digest ("sha256:HEX") is kept. */
    public Path config(String digest) {
        return root.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    /**
     * The image's configuration as its config blob holds it (Docker's {@code config}: Volumes,
     * ExposedPorts, Labels, ...), empty when the blob is gone.
     */
    public JsonNode configOf(Image image) {
        try {
            return json().readTree(Files.readAllBytes(config(image.id())));
        } catch (NoSuchFileException e) {
            return json().createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the config of image " + image.name(), e);
        }
    }

    /** The paths the image's config declares as volumes ({@code VOLUME} in a Dockerfile), sorted. */
    public List<String> volumes(Image image) {
        List<String> paths = new ArrayList<>();
        configOf(image).path("config").path("Volumes").fieldNames().forEachRemaining(paths::add);
        paths.sort(null);
        return paths;
    }

    /** The ports the image's config exposes ({@code EXPOSE}: {@code 80/tcp}), sorted. */
    public List<String> exposedPorts(Image image) {
        List<String> ports = new ArrayList<>();
        configOf(image).path("config").path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        ports.sort(null);
        return ports;
    }

    /** Stores a config blob unless it is there; returns its path when this call created it, else null. */
    Path saveConfig(String digest, byte[] content) throws IOException {
        Path file = config(digest);
        if (Files.isRegularFile(file)) {
            return null;
        }
        Files.createDirectories(file.getParent());
        Path partial = Files.createTempFile(scratch(), "config", ".json");
        Files.write(partial, content);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    Path scratch() throws IOException {
        secure(true);
        return root.resolve("tmp");
    }

    /** Whether {@code name} is a valid image name (see {@link #checkName}). */
    public static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.contains("..");
    }

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("image name \"" + name
                    + "\": expected lower-case letters, digits and . _ - : / @, starting with a letter or digit");
        }
        return name;
    }

    private Path record(String name) {
        return root.resolve("images").resolve(URLEncoder.encode(name, StandardCharsets.UTF_8) + ".json");
    }

    /** Every image, by name. */
    public List<Image> list() {
        Path images = root.resolve("images");
        if (!Files.isDirectory(images)) {
            return List.of();
        }
        List<Image> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(images)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                all.add(json().readValue(file.toFile(), Image.class));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the image store " + root, e);
        }
        return all;
    }

    /**
     * The image called {@code name}, or, for a name without a tag, {@code name:latest}, as Docker
     * reads it; then as podman reads a name without a registry: {@code qa/busybox} also finds
     * {@code localhost/qa/busybox:latest} (podman's name for an image built or imported here),
     * and {@code localhost/qa/busybox} finds {@code qa/busybox:latest}.
     */
    public Optional<Image> find(String name) {
        for (String candidate : candidates(name)) {
            Optional<Image> found = read(candidate);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The names {@link #find} tries, in order. */
    static List<String> candidates(String name) {
        checkName(name);
        List<String> names = new ArrayList<>(List.of(name));
        if (!hasTag(name)) {
            names.add(name + ":latest");
        }
        int slash = name.indexOf('/');
        String first = slash < 0 ? "" : name.substring(0, slash);
        boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
        if (first.equals(LOCALHOST)) {
            List.copyOf(names).forEach(n -> names.add(n.substring(LOCALHOST.length() + 1)));
        } else if (!hasRegistry) {
            List.copyOf(names).forEach(n -> names.add(LOCALHOST + "/" + n));
        }
        return names;
    }

    /** podman's registry for images that came from no registry. */
    private static final String LOCALHOST = "localhost";

    /** The bytes of the regular files of a stored layer (its uncompressed size, as {@code docker images} counts it); no link followed. */
    public long layerSize(String diffId) throws IOException {
        return TreeSize.of(layer(diffId));
    }

    /** Whether {@code name} ends in ":TAG" (a colon after the last slash, so that host:port/x is not one). */
    public static boolean hasTag(String name) {
        return name.lastIndexOf(':') > name.lastIndexOf('/');
    }

    private Optional<Image> read(String name) {
        Path file = record(checkName(name));
        try {
            return Optional.of(json().readValue(Files.readAllBytes(file), Image.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + name, e);
        }
    }

    /** The image called {@code name}, or an error that lists what there is. */
    public Image get(String name) {
        return find(name)
                .orElseThrow(() -> new IllegalArgumentException("image \"" + name + "\": not in the store " + root
                        + "; pull it with 'isola pull " + name + "' or import it with 'isola image import FILE'"));
    }

    void save(Image image) throws IOException {
        Path file = record(image.name());
        Files.createDirectories(file.getParent());
        Path partial = Files.createTempFile(scratch(), "image", ".json");
        json().writeValue(partial.toFile(), image);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Records the image {@code source} also as {@code target} (replacing what that name recorded), as {@code docker tag}. */
    public Image tag(Image source, String target) throws IOException {
        try (LockFile lock = lock()) {
            Image tagged = source.named(checkName(target));
            Optional<Image> replaced = find(target)
                    .filter(old -> old.name().equals(target) && !old.id().equals(source.id()));
            save(tagged);
            if (replaced.isPresent()) {
                pruneReplaced(replaced.get());
            }
            return tagged;
        }
    }

    /**
     * Removes the image and every layer (and its config) that no other image uses; refuses, as
     * Docker does, while a container (running, or stopped and not removed) stands on a layer that
     * would go.
     */
    public void remove(String name) throws IOException {
        try (LockFile lock = lock()) {
            Image image = get(name);
            Set<String> others = new HashSet<>();
            list().stream()
                    .filter(other -> !other.name().equals(image.name()))
                    .forEach(other -> others.addAll(other.layers()));
            for (String layer : image.layers()) {
                String user = others.contains(layer) ? null : ContainerLayers.userOf(this, layer(layer));
                if (user != null) {
                    throw new IllegalArgumentException("image \"" + image.name() + "\" is used by container " + user
                            + ": remove the container first ('isola rm')");
                }
            }
            Files.delete(record(image.name()));
            prune(image);
        }
    }

    /**
     * Deletes what of {@code replaced} (an image whose name now records another) no recorded image
     * uses, unless a container stands on one of its layers: those are then kept. Under the lock.
     */
    void pruneReplaced(Image replaced) throws IOException {
        Set<String> used = new HashSet<>();
        list().forEach(other -> used.addAll(other.layers()));
        for (String layer : replaced.layers()) {
            if (!used.contains(layer) && ContainerLayers.userOf(this, layer(layer)) != null) {
                return;
            }
        }
        prune(replaced);
    }

    /** Deletes what of {@code gone} (an image no longer recorded) no recorded image uses; under the lock. */
    void prune(Image gone) throws IOException {
        Set<String> used = new HashSet<>();
        Set<String> configs = new HashSet<>();
        list().forEach(other -> {
            used.addAll(other.layers());
            configs.add(other.id());
        });
        for (String layer : gone.layers()) {
            if (!used.contains(layer)) {
                deleteTree(layer(layer));
            }
        }
        if (!configs.contains(gone.id())) {
            Files.deleteIfExists(config(gone.id()));
        }
    }

    /**
     * The store's lock, held by one importer or remover at a time, across processes and across the
     * threads of one JVM (the resident server runs commands on threads of one JVM).
     */
    LockFile lock() throws IOException {
        secure(true);
        return LockFile.ownerOnly(root.resolve("lock"));
    }

    /**
     * Removes {@code dir} and everything in it without following a link anywhere below it: a layer
     * or a container's writable layer holds links that an image or a container chose.
     */
    static void deleteTree(Path dir) throws IOException {
        ContainerTrees.remove(dir);
    }
}
