package io.isola.launcher.image;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an image archive holds, read from its unpacked files: the config and the layers, bottom
 * first, with the digests to check them against. Two formats: {@code docker save} ({@code
 * manifest.json}, with {@code <id>/layer.tar} or, since Docker 25, OCI blobs) and the OCI image
 * layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}).
 */
record ArchiveManifest(String name, Path config, String configDigest, List<Layer> layers) {

    /** A layer blob, with its digest when the format names one (OCI) and the digest of its uncompressed content. */
    record Layer(Path blob, String blobDigest, String diffId) {}

    static ArchiveManifest read(Path unpacked) throws IOException {
        if (Files.isRegularFile(unpacked.resolve("manifest.json"))) {
            return docker(unpacked);
        }
        if (Files.isRegularFile(unpacked.resolve("index.json"))
                && Files.isRegularFile(unpacked.resolve("oci-layout"))) {
            return oci(unpacked);
        }
        throw new IOException(
                "neither a 'docker save' archive (no manifest.json) nor an OCI image layout (no index.json)");
    }

    private static ArchiveManifest docker(Path dir) throws IOException {
        JsonNode manifests = json(dir.resolve("manifest.json"));
        if (!manifests.isArray() || manifests.size() == 0) {
            throw new IOException("manifest.json lists no image");
        }
        JsonNode manifest = manifests.get(0);
        String configName = text(manifest, "Config");
        Path config = inside(dir, configName);
        // the config's file name is its digest: "<hex>.json" (old) or "blobs/sha256/<hex>" (new)
        String hex = config.getFileName().toString().replaceFirst("\\.json$", "");
        List<String> diffIds = diffIds(config);
        JsonNode layerNames = manifest.get("Layers");
        if (layerNames == null || layerNames.size() != diffIds.size()) {
            throw new IOException("manifest.json lists " + (layerNames == null ? 0 : layerNames.size())
                    + " layers, the config " + diffIds.size());
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
            Path blob = inside(dir, layerNames.get(i).asText());
            String blobDigest = blob.getParent() != null && blob.getParent().endsWith("blobs/sha256")
                    ? "sha256:" + blob.getFileName()
                    : null;
            layers.add(new Layer(blob, blobDigest, diffIds.get(i)));
        }
        JsonNode tags = manifest.get("RepoTags");
        String name =
                tags != null && tags.isArray() && tags.size() > 0 ? tags.get(0).asText() : null;
        return new ArchiveManifest(name, config, "sha256:" + hex, layers);
    }

    private static ArchiveManifest oci(Path dir) throws IOException {
        JsonNode index = json(dir.resolve("index.json"));
        JsonNode descriptor = first(index, "index.json");
        String name = refName(descriptor);
        JsonNode manifest = json(blob(dir, text(descriptor, "digest")));
        if (manifest.has("manifests")) { // a nested index, as multi-platform images have: take this machine's
            descriptor = platform(manifest);
            name = name != null ? name : refName(descriptor);
            manifest = json(blob(dir, text(descriptor, "digest")));
        }
        String configDigest = text(manifest.get("config"), "digest");
        Path config = blob(dir, configDigest);
        List<String> diffIds = diffIds(config);
        JsonNode descriptors = manifest.get("layers");
        if (descriptors == null || descriptors.size() != diffIds.size()) {
            throw new IOException("the manifest lists " + (descriptors == null ? 0 : descriptors.size())
                    + " layers, the config " + diffIds.size());
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < descriptors.size(); i++) {
            String digest = text(descriptors.get(i), "digest");
            layers.add(new Layer(blob(dir, digest), digest, diffIds.get(i)));
        }
        return new ArchiveManifest(name, config, configDigest, layers);
    }

    private static JsonNode platform(JsonNode index) throws IOException {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
        for (JsonNode m : index.get("manifests")) {
            JsonNode platform = m.get("platform");
            if (platform == null
                    || (arch.equals(platform.path("architecture").asText())
                            && "linux".equals(platform.path("os").asText()))) {
                return m;
            }
        }
        throw new IOException("the image has no variant for linux/" + arch);
    }

    private static String refName(JsonNode descriptor) {
        JsonNode annotations = descriptor.get("annotations");
        if (annotations == null) {
            return null;
        }
        JsonNode full = annotations.get("io.containerd.image.name");
        JsonNode ref = annotations.get("org.opencontainers.image.ref.name");
        return full != null ? full.asText() : ref != null ? ref.asText() : null;
    }

    private static List<String> diffIds(Path config) throws IOException {
        JsonNode ids = json(config).path("rootfs").path("diff_ids");
        List<String> list = new ArrayList<>();
        ids.forEach(id -> list.add(id.asText()));
        for (String id : list) {
            if (!id.matches("sha256:[0-9a-f]{64}")) {
                throw new IOException("the config names a layer \"" + id + "\", expected sha256:<64 hex digits>");
            }
        }
        return list;
    }

    private static Path blob(Path dir, String digest) throws IOException {
        if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IOException("digest \"" + digest + "\": expected sha256:<64 hex digits>");
        }
        Path path = dir.resolve("blobs/sha256").resolve(digest.substring(7));
        if (!Files.isRegularFile(path)) {
            throw new IOException("blob " + digest + " is missing from the archive");
        }
        return path;
    }

    private static Path inside(Path dir, String name) throws IOException {
        Path path = dir.resolve(name).normalize();
        if (!path.startsWith(dir) || !Files.isRegularFile(path)) {
            throw new IOException("\"" + name + "\" is missing from the archive");
        }
        return path;
    }

    private static JsonNode first(JsonNode index, String where) throws IOException {
        JsonNode manifests = index.get("manifests");
        if (manifests == null || manifests.size() == 0) {
            throw new IOException(where + " lists no image");
        }
        return manifests.get(0);
    }

    private static String text(JsonNode node, String field) throws IOException {
        if (node == null || !node.hasNonNull(field)) {
            throw new IOException("a manifest lacks \"" + field + "\"");
        }
        return node.get(field).asText();
    }

    /** Manifests, indexes and configs are kilobytes; a larger one is hostile, not an image. */
    static final long MAX_JSON_BYTES = 4 << 20;

    static JsonNode json(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_JSON_BYTES) {
            throw new IOException(
                    file.getFileName() + " is " + size + " bytes; image metadata may be at most " + MAX_JSON_BYTES);
        }
        try {
            return ImageStore.json().readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IOException(file.getFileName() + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
