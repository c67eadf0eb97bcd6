package io.isola.launcher.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.launcher.registry.Digests;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.MediaTypes;
import io.isola.launcher.registry.Platform;
import io.isola.lifecycle.LockFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * {@code isola save}: an image as a tarball that {@code docker load}, {@code podman load} and
 * {@code isola load} read. {@link Format#DOCKER_ARCHIVE} is {@code docker save}'s ({@code
 * manifest.json} and {@code repositories}, blobs by digest as Docker 25 writes them); {@link
 * Format#OCI_ARCHIVE} is an OCI image layout ({@code oci-layout}, {@code index.json}). Each layer
 * is written anew from the store's directory (whiteouts back to {@code .wh.} files), so its digest
 * is that of the tar written; when it differs from the one the image was pulled or imported with,
 * the archive's config names the new one (and the image's id in the archive is then another).
 */
public final class ImageSaver {

    /** What {@code --format} names. */
    public enum Format {
        DOCKER_ARCHIVE,
        OCI_ARCHIVE;

        public static Format parse(String value) {
            return switch (value) {
                case "docker-archive", "docker" -> DOCKER_ARCHIVE;
                case "oci-archive", "oci" -> OCI_ARCHIVE;
                default ->
                    throw new IllegalArgumentException(
                            "--format \"" + value + "\": expected docker-archive or oci-archive");
            };
        }
    }

    private final ImageStore store;

    public ImageSaver(ImageStore store) {
        this.store = store;
    }

    /** Writes the image {@code name} to {@code out} as {@code format}. */
    public void save(String name, Format format, OutputStream out) throws IOException {
        Image image = ImageSource.stored(store, name).orElseGet(() -> store.get(name));
        try (LockFile lock = store.lock()) { // no removal takes a layer away while it is read
            Path scratch = Files.createTempDirectory(store.scratch(), "save-");
            try {
                write(image, format, scratch, out);
            } finally {
                ImageStore.deleteTree(scratch);
            }
        }
    }

    private void write(Image image, Format format, Path scratch, OutputStream out) throws IOException {
        List<Path> layerFiles = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (String layer : image.layers()) {
            WrittenLayer written =
                    writeLayer(store, layer, scratch.resolve("layer-" + layerFiles.size() + ".tar"), false);
            layerFiles.add(written.file());
            diffIds.add(written.diffId());
        }
        ObjectNode config = configWith(store, image, diffIds);
        byte[] configBytes = ImageStore.json().writeValueAsBytes(config);
        String configDigest = Digests.sha256(configBytes);
        ImageReference reference = reference(image.name());
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            directory(tar, "blobs/");
            directory(tar, "blobs/sha256/");
            Set<String> written = new HashSet<>();
            for (int i = 0; i < layerFiles.size(); i++) {
                if (written.add(diffIds.get(i))) { // a layer an image lists twice is one blob
                    blob(tar, diffIds.get(i), layerFiles.get(i));
                }
            }
            entry(tar, blobName(configDigest), configBytes);
            if (format == Format.DOCKER_ARCHIVE) {
                ObjectNode manifest = ImageStore.json().createObjectNode().put("Config", blobName(configDigest));
                ArrayNode tags = manifest.putArray("RepoTags");
                if (reference != null) {
                    tags.add(reference.familiarRepository() + ":" + reference.tag());
                }
                ArrayNode layers = manifest.putArray("Layers");
                diffIds.forEach(id -> layers.add(blobName(id)));
                ArrayNode manifests = ImageStore.json().createArrayNode().add(manifest);
                entry(tar, "manifest.json", ImageStore.json().writeValueAsBytes(manifests));
            } else {
                ObjectNode manifest = ImageStore.json()
                        .createObjectNode()
                        .put("schemaVersion", 2)
                        .put("mediaType", MediaTypes.OCI_MANIFEST);
                manifest.putObject("config")
                        .put("mediaType", MediaTypes.OCI_CONFIG)
                        .put("digest", configDigest)
                        .put("size", configBytes.length);
                ArrayNode layers = manifest.putArray("layers");
                for (int i = 0; i < diffIds.size(); i++) {
                    layers.addObject()
                            .put("mediaType", MediaTypes.OCI_LAYER)
                            .put("digest", diffIds.get(i))
                            .put("size", Files.size(layerFiles.get(i)));
                }
                byte[] manifestBytes = ImageStore.json().writeValueAsBytes(manifest);
                String manifestDigest = Digests.sha256(manifestBytes);
                entry(tar, blobName(manifestDigest), manifestBytes);
                entry(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
                ObjectNode index = ImageStore.json()
                        .createObjectNode()
                        .put("schemaVersion", 2)
                        .put("mediaType", MediaTypes.OCI_INDEX);
                ObjectNode descriptor = index.putArray("manifests")
                        .addObject()
                        .put("mediaType", MediaTypes.OCI_MANIFEST)
                        .put("digest", manifestDigest)
                        .put("size", manifestBytes.length);
                if (reference != null) {
                    descriptor
                            .putObject("annotations")
                            .put("io.containerd.image.name", reference.toString())
                            .put("org.opencontainers.image.ref.name", reference.tag());
                }
                entry(tar, "index.json", ImageStore.json().writeValueAsBytes(index));
            }
            tar.finish();
        }
    }

    /** A stored layer written as a tar file: the tar's digest (its diff id), and the file's (gzip or not), with its size. */
    record WrittenLayer(Path file, String diffId, String blobDigest, long size) {}

    /** Writes the stored {@code layer} to {@code file} as a layer tar (whiteouts as {@code .wh.} files), gzip-compressed when asked. */
    static WrittenLayer writeLayer(ImageStore store, String layer, Path file, boolean gzip) throws IOException {
        MessageDigest tarSha = Digests.newSha256();
        MessageDigest blobSha = Digests.newSha256();
        try (OutputStream written = FreeSpace.limited(
                        Files.newOutputStream(file),
                        file.getParent(),
                        "layer " + layer + " written as a tar (its sparse files whole)");
                DigestOutputStream blob = new DigestOutputStream(written, blobSha);
                OutputStream compressed = gzip ? new GzipCompressorOutputStream(blob) : blob;
                DigestOutputStream uncompressed = new DigestOutputStream(compressed, tarSha);
                TreeTar tar = new TreeTar(uncompressed)) {
            ContainerFiles.changes(store.layer(layer), tar);
        }
        return new WrittenLayer(
                file, Digests.format(tarSha.digest()), Digests.format(blobSha.digest()), Files.size(file));
    }

    /** The stored config with {@code diffIds}; one rebuilt from the record when the store lacks it. */
    static ObjectNode configWith(ImageStore store, Image image, List<String> diffIds) throws IOException {
        Path blob = store.config(image.id());
        ObjectNode config;
        if (Files.isRegularFile(blob)) {
            config = (ObjectNode) ImageStore.json().readTree(blob.toFile());
        } else {
            config = ImageStore.json()
                    .createObjectNode()
                    .put("architecture", Platform.host().architecture())
                    .put("os", "linux");
            ObjectNode run = config.putObject("config");
            image.env().forEach(run.putArray("Env")::add);
            image.cmd().forEach(run.putArray("Cmd")::add);
            if (!image.entrypoint().isEmpty()) {
                image.entrypoint().forEach(run.putArray("Entrypoint")::add);
            }
        }
        ArrayNode ids = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        diffIds.forEach(ids::add);
        return config;
    }

    /** The image's name as a reference with a tag, or null (an image pulled by digest, or a name no registry would take). */
    private static ImageReference reference(String name) {
        try {
            ImageReference reference = ImageReference.parse(name);
            return reference.tag() != null ? reference : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String blobName(String digest) {
        return "blobs/sha256/" + digest.substring("sha256:".length());
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0100644);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void blob(TarArchiveOutputStream tar, String digest, Path file) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(blobName(digest));
        entry.setMode(0100644);
        entry.setSize(Files.size(file));
        tar.putArchiveEntry(entry);
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(tar);
        }
        tar.closeArchiveEntry();
    }
}
