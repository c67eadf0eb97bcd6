package io.isola.launcher.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.launcher.registry.ImageReference;
import io.isola.lifecycle.LockFile;
import io.isola.lifecycle.SavedRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code isola commit CONTAINER NAME[:TAG]}: the container's writable layer becomes a new layer
 * (its deletions written as OCI whiteouts, digested, then extracted as an import would, and stored
 * once whatever the number of images using it) of a new image, whose config is its parent's with
 * this layer's digest added to {@code rootfs.diff_ids} and a history entry: the new image runs
 * what the parent ran (Entrypoint, Cmd, Env, WorkingDir, User), with the container's files.
 */
public final class ContainerCommit {

    private final ImageStore store;

    public ContainerCommit(ImageStore store) {
        this.store = store;
    }

    /**
     * NAME[:TAG] read as Docker reads an image reference ({@link ImageReference}), as the store
     * names it: ":latest" added when there is no tag, Docker Hub's prefixes dropped. A digest is
     * refused: a commit makes a new image, whose digest nobody can choose.
     */
    public static String reference(String reference) {
        ImageReference parsed = ImageReference.parse(reference);
        if (parsed.digest() != null) {
            throw new IllegalArgumentException(
                    "image reference \"" + reference + "\": a commit is named NAME[:TAG], not by a digest");
        }
        return ImageStore.checkName(parsed.storeName());
    }

    /** Stores the container's changes as {@code reference}; returns the new image. */
    public Image commit(String containerId, SavedRoot root, String reference) throws IOException {
        String name = reference(reference);
        if (root == null || root.layers() == null) {
            throw new IllegalArgumentException("container " + containerId
                    + " was not started from an image: only an image's container has a layer of changes to commit");
        }
        List<Path> sources = ContainerExport.sources(containerId, root);
        List<String> parentLayers = new ArrayList<>(); // bottom first, as configs list them
        for (String layer : root.layers()) {
            parentLayers.add(0, diffId(containerId, Path.of(layer)));
        }
        List<Path> created = new ArrayList<>();
        try (LockFile lock = store.lock()) {
            try {
                Path scratch = Files.createTempDirectory(store.scratch(), "commit-");
                created.add(scratch);
                Path tar = scratch.resolve("layer.tar");
                MessageDigest sha = sha256();
                try (OutputStream file = FreeSpace.limited(
                                Files.newOutputStream(tar),
                                scratch,
                                "the archive of container " + containerId + "'s changes");
                        DigestOutputStream digesting = new DigestOutputStream(file, sha)) {
                    if (SubordinateTrees.needed()) {
                        // a rootless container's files of subordinate ids: read where they are the user's
                        SubordinateTrees.tar("changes", List.of(sources.get(0)), digesting);
                    } else {
                        try (TreeTar writer = new TreeTar(digesting)) {
                            ContainerFiles.changes(sources.get(0), writer);
                        }
                    }
                }
                String diffId = "sha256:" + HexFormat.of().formatHex(sha.digest());
                Path target = store.layer(diffId);
                long bytes = 0;
                if (!Files.isDirectory(target)) {
                    Path partial = Files.createDirectory(scratch.resolve("layer"));
                    ImageStore.makePrivate(partial); // a layer may hold setuid-root files: its owner's only
                    try (InputStream in = Files.newInputStream(tar)) {
                        bytes = LayerExtractor.extract(in, partial, diffId);
                    }
                    Files.createDirectories(target.getParent());
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                    created.add(target);
                }
                Optional<Image> parent = parent(root.image(), parentLayers);
                List<String> layers = new ArrayList<>(parentLayers);
                layers.add(diffId);
                ObjectNode config = config(parent, layers, containerId);
                byte[] json = ImageStore.json().writeValueAsBytes(config);
                String id = "sha256:" + HexFormat.of().formatHex(sha256().digest(json));
                Path blob = store.saveConfig(id, json);
                if (blob != null) {
                    created.add(blob);
                }
                JsonNode run = config.path("config");
                Image image = new Image(
                        name,
                        id,
                        layers,
                        strings(run.get("Env")),
                        strings(run.get("Cmd")),
                        run.path("WorkingDir").asText(""),
                        parent.map(Image::size).orElse(0L) + bytes,
                        Instant.now().toString(),
                        strings(run.get("Entrypoint")),
                        run.path("User").asText(""));
                Optional<Image> replaced =
                        store.find(name).filter(old -> old.name().equals(name));
                store.save(image);
                created.clear();
                ImageStore.deleteTree(scratch);
                if (replaced.isPresent()) {
                    store.prune(replaced.get()); // the name moved on: what only the old image used goes
                }
                return image;
            } catch (IOException | RuntimeException e) {
                for (Path path : created) {
                    ImageStore.deleteTree(path);
                }
                throw e;
            }
        }
    }

    /** The layer's digest, from where the store keeps it. */
    private String diffId(String containerId, Path layer) {
        Path layers = store.root().resolve("layers").toAbsolutePath().normalize();
        Path relative = layers.relativize(layer.toAbsolutePath().normalize());
        if (relative.getNameCount() != 2 || relative.startsWith("..")) {
            throw new IllegalArgumentException("container " + containerId + ": its image layer " + layer
                    + " is not in the image store " + store.root());
        }
        return relative.getName(0) + ":" + relative.getName(1);
    }

    /** The image the container ran, if the store still has it with the same layers. */
    private Optional<Image> parent(String image, List<String> layers) {
        if (image != null) {
            Optional<Image> named =
                    store.find(image).filter(found -> found.layers().equals(layers));
            if (named.isPresent()) {
                return named;
            }
        }
        return store.list().stream()
                .filter(found -> found.layers().equals(layers))
                .findFirst();
    }

    /** The parent's config (as stored, else rebuilt from its record) with the new layer and a history entry. */
    private ObjectNode config(Optional<Image> parent, List<String> layers, String containerId) throws IOException {
        ObjectNode config;
        Path blob = parent.map(p -> store.config(p.id()))
                .filter(Files::isRegularFile)
                .orElse(null);
        if (blob != null) {
            config = (ObjectNode) ImageStore.json().readTree(blob.toFile());
        } else {
            config = ImageStore.json()
                    .createObjectNode()
                    .put("architecture", architecture())
                    .put("os", "linux");
            ObjectNode run = config.putObject("config");
            parent.ifPresent(p -> {
                strings(run.putArray("Env"), p.env());
                if (!p.entrypoint().isEmpty()) {
                    strings(run.putArray("Entrypoint"), p.entrypoint());
                }
                strings(run.putArray("Cmd"), p.cmd());
                run.put("WorkingDir", p.workingDir() == null ? "" : p.workingDir());
                if (p.user() != null && !p.user().isEmpty()) {
                    run.put("User", p.user());
                }
            });
        }
        String now = Instant.now().toString();
        config.put("created", now);
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        strings(rootfs.putArray("diff_ids"), layers);
        if (config.has("history") && config.get("history").isArray()) {
            ((ArrayNode) config.get("history"))
                    .addObject()
                    .put("created", now)
                    .put("created_by", "isola commit " + containerId);
        }
        return config;
    }

    private static String architecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(node -> list.add(node.asText()));
        }
        return list;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
