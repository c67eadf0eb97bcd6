package io.isola.launcher.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.launcher.registry.ImageReference;
import io.isola.lifecycle.LockFile;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * {@code isola image import FILE}: unpacks a {@code docker save} or OCI layout tarball (gzip or
 * not) into a scratch directory of the store, checks every digest the archive names (blobs, the
 * config, each layer's uncompressed content against the config's diff_ids), extracts each layer
 * the store does not hold yet, renames it into place, and records the image. On any failure it
 * removes everything this import created; the store is as it was.
 */
public final class ImageImporter {

    private final ImageStore store;
    private final ImportProgress progress;

    public ImageImporter(ImageStore store, ImportProgress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** Imports {@code archive}, named {@code name} or else as the archive names it. */
    public Image importFile(Path archive, String name) throws IOException {
        if (name != null) {
            ImageStore.checkName(name);
        }
        if (!Files.isRegularFile(archive)) {
            throw new IllegalArgumentException("image archive \"" + archive + "\": no such file");
        }
        List<Path> created = new ArrayList<>();
        try (LockFile lock = store.lock()) {
            Path staging = Files.createTempDirectory(store.scratch(), "import-");
            created.add(staging);
            try {
                unpack(archive, staging);
                ArchiveManifest manifest = ArchiveManifest.read(staging);
                String configDigest = sha256(Files.newInputStream(manifest.config()));
                if (!configDigest.equals(manifest.configDigest())) {
                    throw new IOException(
                            "the config's digest is " + configDigest + ", the archive says " + manifest.configDigest());
                }
                long size = 0;
                List<String> layers = new ArrayList<>();
                for (int i = 0; i < manifest.layers().size(); i++) {
                    ArchiveManifest.Layer layer = manifest.layers().get(i);
                    progress.layer(i + 1, manifest.layers().size(), layer.diffId());
                    size += storeLayer(layer, staging, created);
                    layers.add(layer.diffId());
                }
                String chosen = name != null
                        ? name
                        : manifest.name() != null ? normalise(manifest.name()) : configDigest.substring(7, 19);
                Image image = image(
                        ImageStore.checkName(chosen),
                        configDigest,
                        layers,
                        ArchiveManifest.json(manifest.config()),
                        size);
                Path blob = store.saveConfig(configDigest, Files.readAllBytes(manifest.config()));
                if (blob != null) {
                    created.add(blob);
                }
                store.save(image);
                created.remove(staging);
                ImageStore.deleteTree(staging);
                progress.done();
                return image;
            } catch (IOException | RuntimeException e) {
                for (Path path : created) {
                    ImageStore.deleteTree(path);
                }
                progress.done();
                if (e instanceof IOException io) {
                    throw new IllegalArgumentException("image archive \"" + archive + "\": " + message(io), io);
                }
                throw e;
            }
        }
    }

    /** Stores one layer unless the store has it; returns its uncompressed size. */
    private long storeLayer(ArchiveManifest.Layer layer, Path staging, List<Path> created) throws IOException {
        Path target = store.layer(layer.diffId());
        if (Files.isDirectory(target)) {
            // held already: only check that this archive's copy is the same content
            String diffId = sha256(uncompressed(Files.newInputStream(layer.blob()), "layer " + layer.diffId()));
            requireDigest("layer", layer.diffId(), diffId);
            return store.layerSize(layer.diffId()); // the image's size counts every layer it has, shared or not
        }
        Path partial = ImageStore.makePrivate(Files.createTempDirectory(staging, "layer-"));
        MessageDigest sha = newSha256();
        long bytes;
        try (InputStream blob = uncompressed(Files.newInputStream(layer.blob()), "layer " + layer.diffId());
                DigestInputStream digesting = new DigestInputStream(blob, sha)) {
            bytes = LayerExtractor.extract(digesting, partial, layer.diffId());
            digesting.transferTo(OutputStream.nullOutputStream()); // the tar's trailing padding counts too
        }
        requireDigest("layer", layer.diffId(), "sha256:" + HexFormat.of().formatHex(sha.digest()));
        Files.createDirectories(target.getParent());
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        created.add(target);
        return bytes;
    }

    /** Copies the archive's files into {@code staging}, checking each blob against the digest that is its name. */
    private void unpack(Path archive, Path staging) throws IOException {
        try (InputStream file = Files.newInputStream(archive);
                InputStream counted = progress.counting(file, Files.size(archive));
                TarArchiveInputStream tar =
                        new BoundedTarInputStream(uncompressed(counted, "image archive " + archive))) {
            TarArchiveEntry entry;
            int entries = 0;
            while ((entry = tar.getNextEntry()) != null) {
                entries++;
                if (!BoundedTarInputStream.isRegularFile(entry)) {
                    continue; // only files are read: a link here is never followed, to the host or within
                }
                Path path = staging.resolve(entry.getName()).normalize();
                if (!path.startsWith(staging) || path.equals(staging)) {
                    throw new IOException("entry \"" + entry.getName() + "\" points outside the archive");
                }
                FreeSpace.requireFiles(staging, staging.relativize(path).getNameCount(), null, entry.getName());
                Files.createDirectories(path.getParent());
                // the content's size, before any of it: a compressed archive may inflate past the disk
                FreeSpace.require(
                        path.getParent(),
                        entry.isSparse() ? entry.getRealSize() : entry.getSize(),
                        null,
                        entry.getName());
                MessageDigest sha = newSha256();
                if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("entry \"" + entry.getName() + "\" names a file the archive holds already");
                }
                long copied = Files.copy(new DigestInputStream(tar, sha), path);
                if (copied != entry.getSize()) {
                    throw new IOException("truncated: \"" + entry.getName() + "\" has " + copied + " of "
                            + entry.getSize() + " bytes");
                }
                Path parent = path.getParent();
                if (parent.endsWith("blobs/sha256")) {
                    requireDigest(
                            "blob",
                            "sha256:" + path.getFileName(),
                            "sha256:" + HexFormat.of().formatHex(sha.digest()));
                }
            }
            if (entries == 0) {
                throw new IOException("not a tar archive, or an empty one");
            }
        }
    }

    private static void requireDigest(String what, String expected, String actual) throws IOException {
        if (!expected.equals(actual)) {
            throw new IOException(
                    what + " " + expected + ": the content's digest is " + actual + " (a corrupt or altered archive)");
        }
    }

    /** The stream, decompressed as its first bytes say (gzip, zstd or none). */
    private InputStream uncompressed(InputStream in, String what) throws IOException {
        return LayerCompression.decompressed(in, what, store.scratch());
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest sha = newSha256();
        try (in;
                DigestInputStream digesting = new DigestInputStream(in, sha)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record of an image with this image config ({@code config}, the whole document), imported or pulled now. */
    static Image image(String name, String configDigest, List<String> layers, JsonNode config, long size) {
        JsonNode run = config.path("config");
        return new Image(
                name,
                configDigest,
                layers,
                strings(run.get("Env")),
                strings(run.get("Cmd")),
                run.path("WorkingDir").asText(""),
                size,
                Instant.now().toString(),
                strings(run.get("Entrypoint")),
                run.path("User").asText(""));
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(node -> list.add(node.asText()));
        }
        return list;
    }

    /** "docker.io/library/busybox:latest" as users type it, "busybox:latest", as a pull names it; tags stay. */
    private static String normalise(String name) {
        try {
            ImageReference reference = ImageReference.parse(name);
            if (reference.tag() != null && ImageStore.hasTag(name)) { // a bare "name" stays as it is
                return reference.storeName();
            }
        } catch (IllegalArgumentException notAReference) {
            // a name no registry would take, which the store may still take
        }
        return name.replaceFirst("^docker\\.io/library/", "").toLowerCase(Locale.ROOT);
    }

    private static String message(IOException e) {
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + " is missing";
        }
        if (e instanceof EOFException) {
            return "truncated: the archive ends in the middle of its content";
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
