package io.isola.launcher.image;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.isola.launcher.registry.Digests;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.MediaTypes;
import io.isola.launcher.registry.Platform;
import io.isola.launcher.registry.RegistryClient;
import io.isola.lifecycle.LockFile;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code isola pull}: the manifest (the host's or {@code --platform}'s from an index), the
 * config, then each layer the store lacks (up to {@link LayerFetches#AT_ONCE} at a time), streamed
 * from the registry through two digests (the blob's, against the manifest; the uncompressed
 * tar's, against the config's diff_ids) straight into a scratch directory, which is renamed into
 * place once both match. A layer in the store is
 * not fetched again. An interrupted pull leaves its finished layers in the store (the next pull
 * of the image skips them) and nothing half-written: the unfinished layer is in ROOT/tmp/pull-*,
 * deleted on failure, and by the next pull when the process was killed. The image is recorded
 * last, so it exists only whole.
 */
public final class ImagePuller {

    private final ImageStore store;
    private final PullProgress progress;

    public ImagePuller(ImageStore store, PullProgress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** Pulls {@code reference} through {@code client}, for {@code platform}; returns the stored image. */
    public Image pull(ImageReference reference, RegistryClient client, Platform platform) throws IOException {
        progress.status((reference.tag() != null ? reference.tag() : reference.digest()) + ": Pulling from "
                + reference.familiarRepository());
        RegistryClient.Manifest top = client.manifest(reference.reference());
        RegistryClient.Manifest manifest = top;
        if (MediaTypes.isIndex(top.mediaType())) {
            manifest = client.manifest(PlatformChoice.choose(read(top.content(), "index"), platform, reference));
        }
        if (!MediaTypes.isManifest(manifest.mediaType())) {
            throw new IOException("manifest " + manifest.digest() + " is of type \"" + manifest.mediaType()
                    + "\": expected an OCI image manifest or a Docker schema 2 one");
        }
        JsonNode parsed = read(manifest.content(), "manifest");
        JsonNode configDescriptor = parsed.path("config");
        String configType = configDescriptor.path("mediaType").asText("");
        if (!MediaTypes.isConfig(configType)) {
            throw new IOException("manifest " + manifest.digest() + " is not a container image: its config is \""
                    + configType + "\"");
        }
        String configDigest = Digests.check(configDescriptor.path("digest").asText(null), "the manifest's config");
        byte[] configBytes = client.smallBlob(configDigest);
        JsonNode config = read(configBytes, "config");
        List<String> diffIds = new ArrayList<>();
        for (JsonNode id : config.path("rootfs").path("diff_ids")) {
            diffIds.add(Digests.check(id.asText(null), "the config's rootfs.diff_ids"));
        }
        JsonNode layers = parsed.path("layers");
        if (layers.size() != diffIds.size()) {
            throw new IOException("manifest " + manifest.digest() + " lists " + layers.size() + " layers, its config "
                    + diffIds.size());
        }
        String name = ImageStore.checkName(reference.storeName());
        try (LockFile lock = store.lock()) {
            sweep();
            Path staging = Files.createTempDirectory(store.scratch(), "pull-");
            try {
                Map<String, Long> fetchedSizes;
                try (LayerFetches fetches = new LayerFetches()) {
                    for (int i = 0; i < layers.size(); i++) {
                        JsonNode layer = layers.get(i);
                        String digest = Digests.check(
                                layer.path("digest").asText(null), "layer " + (i + 1) + " of the manifest");
                        String diffId = diffIds.get(i);
                        if (Files.isDirectory(store.layer(diffId))) {
                            progress.layer(digest, "Already exists");
                            continue;
                        }
                        long declared = layer.path("size").asLong(-1);
                        fetches.start(diffId, () -> fetch(client, digest, declared, diffId, staging));
                    }
                    fetchedSizes = fetches.await();
                }
                boolean fetched = !fetchedSizes.isEmpty();
                long size = 0;
                for (String diffId : diffIds) {
                    Long fetchedSize = fetchedSizes.get(diffId);
                    size += fetchedSize != null ? fetchedSize : store.layerSize(diffId);
                }
                Optional<Image> before = store.find(name);
                store.saveConfig(configDigest, configBytes);
                Image image = ImageImporter.image(name, configDigest, diffIds, config, size);
                store.save(image);
                progress.status("Digest: " + top.digest());
                progress.status("Status: "
                        + (fetched
                                        || before.map(old -> !old.id().equals(configDigest))
                                                .orElse(true)
                                ? "Downloaded newer image for "
                                : "Image is up to date for ")
                        + name);
                if (before.isPresent() && !before.get().id().equals(configDigest)) {
                    store.pruneReplaced(before.get());
                }
                return image;
            } finally {
                ImageStore.deleteTree(staging);
            }
        }
    }

    /** Fetches one layer into the store; returns the bytes of its files. */
    private long fetch(RegistryClient client, String digest, long size, String diffId, Path staging)
            throws IOException {
        progress.layer(digest, "Pulling fs layer");
        Path partial = ImageStore.makePrivate(Files.createTempDirectory(staging, "layer-"));
        MessageDigest blobSha = Digests.newSha256();
        MessageDigest tarSha = Digests.newSha256();
        RegistryClient.Blob blob = client.blob(digest);
        long total = size >= 0 ? size : blob.length();
        long files;
        long[] read = {0};
        try (InputStream raw = blob.content();
                InputStream counted = counting(raw, digest, total, read);
                DigestInputStream blobDigest = new DigestInputStream(counted, blobSha);
                InputStream tar = LayerCompression.decompressed(blobDigest, "layer " + digest, store.scratch());
                DigestInputStream tarDigest = new DigestInputStream(tar, tarSha)) {
            files = LayerExtractor.extract(tarDigest, partial, diffId);
            tarDigest.transferTo(OutputStream.nullOutputStream()); // the tar's trailing padding counts too
            blobDigest.transferTo(OutputStream.nullOutputStream()); // and so does what follows the compressed stream
        }
        if (size >= 0 && read[0] != size) {
            throw new IOException(
                    "layer " + digest + ": the registry sent " + read[0] + " bytes, the manifest says " + size);
        }
        String blobActual = Digests.format(blobSha.digest());
        if (!blobActual.equals(digest)) {
            throw new IOException(
                    "layer " + digest + ": the content's digest is " + blobActual + " (corrupt or altered in transit)");
        }
        String tarActual = Digests.format(tarSha.digest());
        if (!tarActual.equals(diffId)) {
            throw new IOException(
                    "layer " + digest + ": its uncompressed digest is " + tarActual + ", the config says " + diffId);
        }
        progress.layer(digest, "Verifying Checksum");
        Path target = store.layer(diffId);
        Files.createDirectories(target.getParent());
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        progress.layer(digest, "Pull complete");
        return files;
    }

    private InputStream counting(InputStream in, String digest, long total, long[] read) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    progress.bytes(digest, ++read[0], total);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    read[0] += n;
                    if (total >= 0
                            && read[0] > total) { // a registry that sends more than it said gets no more of our disk
                        throw new IOException(
                                "layer " + digest + ": the registry sent more than the " + total + " bytes it said");
                    }
                    progress.bytes(digest, read[0], total);
                }
                return n;
            }
        };
    }

    /** The bytes of the regular files of a stored layer, as extracting it counted them; links are not followed. */

    /** Under the store's lock no pull runs: a pull-* scratch directory is one a killed pull left. */
    private void sweep() throws IOException {
        try (Stream<Path> entries = Files.list(store.scratch())) {
            for (Path entry : entries.filter(e -> e.getFileName().toString().startsWith("pull-"))
                    .toList()) {
                ImageStore.deleteTree(entry);
            }
        }
    }

    private static JsonNode read(byte[] content, String what) throws IOException {
        try {
            JsonNode node = ImageStore.json().readTree(content);
            if (node == null || !node.isObject()) {
                throw new IOException("the " + what + " is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new IOException("the " + what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
