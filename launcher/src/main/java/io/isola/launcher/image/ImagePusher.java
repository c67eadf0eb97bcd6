package io.isola.launcher.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.launcher.registry.Digests;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.MediaTypes;
import io.isola.launcher.registry.RegistryClient;
import io.isola.lifecycle.LockFile;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code isola push}: each layer written anew from the store as a gzip-compressed tar (as {@link
 * ImageSaver} writes them), uploaded unless the repository holds that blob already, then the
 * config, then an OCI manifest under the reference's tag. The registry checks every digest.
 */
public final class ImagePusher {

    private final ImageStore store;
    private final PullProgress progress;

    public ImagePusher(ImageStore store, PullProgress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** Pushes {@code image} as {@code target} (which has a tag); returns the manifest's digest. */
    public String push(Image image, ImageReference target, RegistryClient client) throws IOException {
        progress.status("The push refers to repository [" + target.registry() + "/" + target.repository() + "]");
        try (LockFile lock = store.lock()) { // no removal takes a layer away while it is read
            Path scratch = Files.createTempDirectory(store.scratch(), "push-");
            try {
                List<ImageSaver.WrittenLayer> layers = new ArrayList<>();
                for (String layer : image.layers()) {
                    layers.add(ImageSaver.writeLayer(
                            store, layer, scratch.resolve("layer-" + layers.size() + ".tar.gz"), true));
                }
                List<String> diffIds =
                        layers.stream().map(ImageSaver.WrittenLayer::diffId).toList();
                byte[] config = ImageStore.json().writeValueAsBytes(ImageSaver.configWith(store, image, diffIds));
                String configDigest = Digests.sha256(config);
                for (ImageSaver.WrittenLayer layer : layers) {
                    if (client.hasBlob(layer.blobDigest())) {
                        progress.layer(layer.blobDigest(), "Layer already exists");
                        continue;
                    }
                    progress.layer(layer.blobDigest(), "Pushing " + PullProgress.size(layer.size()));
                    client.upload(layer.blobDigest(), HttpRequest.BodyPublishers.ofFile(layer.file()));
                    progress.layer(layer.blobDigest(), "Pushed");
                }
                if (!client.hasBlob(configDigest)) {
                    client.upload(configDigest, HttpRequest.BodyPublishers.ofByteArray(config));
                }
                ObjectNode manifest = ImageStore.json()
                        .createObjectNode()
                        .put("schemaVersion", 2)
                        .put("mediaType", MediaTypes.OCI_MANIFEST);
                manifest.putObject("config")
                        .put("mediaType", MediaTypes.OCI_CONFIG)
                        .put("digest", configDigest)
                        .put("size", config.length);
                ArrayNode descriptors = manifest.putArray("layers");
                for (ImageSaver.WrittenLayer layer : layers) {
                    descriptors
                            .addObject()
                            .put("mediaType", MediaTypes.OCI_LAYER_GZIP)
                            .put("digest", layer.blobDigest())
                            .put("size", layer.size());
                }
                byte[] bytes = ImageStore.json().writeValueAsBytes(manifest);
                String digest = client.putManifest(target.tag(), bytes, MediaTypes.OCI_MANIFEST);
                progress.status(target.tag() + ": digest: " + digest + " size: " + bytes.length);
                return digest;
            } finally {
                ImageStore.deleteTree(scratch);
            }
        }
    }
}
