package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.Platform;
import io.isola.launcher.registry.RegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pull's checks against a registry made of a few canned answers: digests, diff ids, sizes, compression. */
class ImagePullerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> answers = new ConcurrentHashMap<>();
    private final Map<String, Integer> requests = new ConcurrentHashMap<>();
    private ImageStore store;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/", exchange -> {
            try (exchange) {
                requests.merge(exchange.getRequestURI().getPath(), 1, Integer::sum);
                byte[] body = answers.get(exchange.getRequestURI().getPath());
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                if (exchange.getRequestURI().getPath().contains("/manifests/")) {
                    exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                }
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        answers.put("/v2/", "{}".getBytes(StandardCharsets.UTF_8));
        store = new ImageStore(tmp.resolve("store"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Serves an image of one layer: {@code blob} as the layer, named {@code blobDigest}, with {@code diffId} in the config. */
    private ImageReference image(byte[] blob, String blobDigest, String diffId, long size) throws IOException {
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        config.putObject("config").putArray("Cmd").add("/bin/sh");
        config.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(diffId);
        byte[] configBytes = JSON.writeValueAsBytes(config);
        ObjectNode manifest = JSON.createObjectNode()
                .put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config")
                .put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", ImageArchives.digest(configBytes))
                .put("size", configBytes.length);
        manifest.putArray("layers")
                .addObject()
                .put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                .put("digest", blobDigest)
                .put("size", size);
        answers.put("/v2/test/app/manifests/1", JSON.writeValueAsBytes(manifest));
        answers.put("/v2/test/app/blobs/" + ImageArchives.digest(configBytes), configBytes);
        answers.put("/v2/test/app/blobs/" + blobDigest, blob);
        return ImageReference.parse("127.0.0.1:" + server.getAddress().getPort() + "/test/app:1");
    }

    /** Serves an image of {@code tars}, each gzipped, as its layers in this order. */
    private ImageReference image(List<byte[]> tars) throws IOException {
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        ObjectNode manifest = JSON.createObjectNode()
                .put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        for (byte[] tar : tars) {
            byte[] gzip = ImageArchives.gzip(tar);
            config.with("rootfs").put("type", "layers").withArray("diff_ids").add(ImageArchives.digest(tar));
            manifest.withArray("layers")
                    .addObject()
                    .put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
                    .put("digest", ImageArchives.digest(gzip))
                    .put("size", gzip.length);
            answers.put("/v2/test/app/blobs/" + ImageArchives.digest(gzip), gzip);
        }
        byte[] configBytes = JSON.writeValueAsBytes(config);
        manifest.putObject("config")
                .put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", ImageArchives.digest(configBytes))
                .put("size", configBytes.length);
        answers.put("/v2/test/app/manifests/1", JSON.writeValueAsBytes(manifest));
        answers.put("/v2/test/app/blobs/" + ImageArchives.digest(configBytes), configBytes);
        return ImageReference.parse("127.0.0.1:" + server.getAddress().getPort() + "/test/app:1");
    }

    private Image pull(ImageReference reference, StringWriter shown) throws IOException {
        RegistryClient client = new RegistryClient(reference, Optional.empty(), false);
        return new ImagePuller(store, PullProgress.lines(new PrintWriter(shown)))
                .pull(reference, client, Platform.host());
    }

    private static byte[] layer() throws IOException {
        return ImageArchives.layer(Map.of("etc", "->/nowhere", "hello", "hi\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aLayerWhoseDigestsMatchIsStoredAndNotFetchedAgain() throws Exception {
        byte[] tar = layer();
        byte[] gzip = ImageArchives.gzip(tar);
        ImageReference reference = image(gzip, ImageArchives.digest(gzip), ImageArchives.digest(tar), gzip.length);
        StringWriter shown = new StringWriter();
        Image image = pull(reference, shown);
        assertEquals(reference.storeName(), image.name());
        assertEquals(
                "hi\n", Files.readString(store.layer(ImageArchives.digest(tar)).resolve("hello")));
        assertTrue(shown.toString().contains(": Pull complete"), shown::toString);
        StringWriter again = new StringWriter();
        pull(reference, again);
        assertTrue(
                again.toString().contains(": Already exists")
                        && again.toString().contains("Image is up to date"),
                again::toString);
    }

    @Test
    void layersAreFetchedSideBySideALayerListedTwiceOnceAndOneBadLayerLeavesNothingHalfWritten() throws Exception {
        List<byte[]> tars = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tars.add(
                    ImageArchives.layer(Map.of("layer" + i, ("content " + i + "\n").getBytes(StandardCharsets.UTF_8))));
        }
        tars.add(tars.get(0)); // as an image that writes the same files twice
        ImageReference reference = image(tars);
        StringWriter shown = new StringWriter();
        Image image = pull(reference, shown);

        assertEquals(6, image.layers().size());
        for (int i = 0; i < 5; i++) {
            assertEquals(
                    "content " + i + "\n",
                    Files.readString(
                            store.layer(ImageArchives.digest(tars.get(i))).resolve("layer" + i)));
            String blob = "/v2/test/app/blobs/" + ImageArchives.digest(ImageArchives.gzip(tars.get(i)));
            assertEquals(1, requests.get(blob), "fetched once: " + requests);
        }
        assertEquals(5, shown.toString().split(": Pull complete", -1).length - 1, shown::toString);
        try (Stream<Path> scratch = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), scratch.toList());
        }

        byte[] cut = ImageArchives.layer(Map.of("c", new byte[1 << 16]));
        ImageReference broken = image(List.of(ImageArchives.layer(Map.of("a", new byte[1 << 16])), tars.get(1), cut));
        String bad = "/v2/test/app/blobs/" + ImageArchives.digest(ImageArchives.gzip(cut));
        answers.put(bad, Arrays.copyOf(answers.get(bad), answers.get(bad).length / 2));
        IOException e = assertThrows(IOException.class, () -> pull(broken, new StringWriter()));
        assertEquals(
                "layer " + bad.substring(bad.lastIndexOf('/') + 1)
                        + ": gzip: the compressed stream ends before its end (truncated)",
                e.getMessage());
        assertFalse(Files.exists(store.layer(ImageArchives.digest(cut))), "a half layer is in the store");
        try (Stream<Path> scratch = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), scratch.toList(), "a fetch left its scratch");
        }
    }

    @Test
    void aBlobThatIsNotItsDigestIsRefusedAndNothingIsStored() throws Exception {
        byte[] tar = layer();
        String claimed = ImageArchives.digest("other".getBytes(StandardCharsets.UTF_8));
        ImageReference reference = image(tar, claimed, ImageArchives.digest(tar), tar.length);
        IOException e = assertThrows(IOException.class, () -> pull(reference, new StringWriter()));
        assertEquals(
                "layer " + claimed + ": the content's digest is " + ImageArchives.digest(tar)
                        + " (corrupt or altered in transit)",
                e.getMessage());
        assertClean();
    }

    @Test
    void aLayerThatIsNotTheConfigsDiffIdIsRefused() throws Exception {
        byte[] tar = layer();
        String diffId = ImageArchives.digest("other".getBytes(StandardCharsets.UTF_8));
        ImageReference reference = image(tar, ImageArchives.digest(tar), diffId, tar.length);
        IOException e = assertThrows(IOException.class, () -> pull(reference, new StringWriter()));
        assertTrue(
                e.getMessage()
                        .endsWith(": its uncompressed digest is " + ImageArchives.digest(tar) + ", the config says "
                                + diffId),
                e.getMessage());
        assertClean();
    }

    @Test
    void aBlobLongerThanTheManifestSaysIsCutOff() throws Exception {
        byte[] tar = layer();
        ImageReference reference = image(tar, ImageArchives.digest(tar), ImageArchives.digest(tar), tar.length - 512);
        IOException e = assertThrows(IOException.class, () -> pull(reference, new StringWriter()));
        assertTrue(
                e.getMessage().contains("the registry sent more than the " + (tar.length - 512) + " bytes it said"),
                e.getMessage());
        assertClean();
    }

    @Test
    void aZstdLayerIsReadByItsMagicWhateverItsMediaTypeSays() throws Exception {
        byte[] tar = layer();
        byte[] zstd = ImageArchives.zstd(tar);
        // the served manifest calls every layer an uncompressed tar: the first bytes decide
        ImageReference reference = image(zstd, ImageArchives.digest(zstd), ImageArchives.digest(tar), zstd.length);
        StringWriter shown = new StringWriter();
        pull(reference, shown);
        assertEquals(
                "hi\n", Files.readString(store.layer(ImageArchives.digest(tar)).resolve("hello")));
        assertTrue(shown.toString().contains(": Pull complete"), shown::toString);
        try (Stream<Path> scratch = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), scratch.toList(), "the zstd library was left in the store's scratch");
        }
    }

    @Test
    void aTruncatedZstdLayerIsRefusedAndNothingIsStored() throws Exception {
        byte[] tar = layer();
        byte[] zstd = ImageArchives.zstd(tar);
        byte[] cut = Arrays.copyOf(zstd, zstd.length / 2);
        ImageReference reference = image(cut, ImageArchives.digest(cut), ImageArchives.digest(tar), cut.length);
        IOException e = assertThrows(IOException.class, () -> pull(reference, new StringWriter()));
        assertTrue(e.getMessage().startsWith("layer " + ImageArchives.digest(cut) + ": zstd: "), e.getMessage());
        assertClean();
    }

    private void assertClean() throws IOException {
        try (Stream<Path> layers = Files.list(store.root().resolve("layers/sha256"));
                Stream<Path> scratch = Files.list(store.root().resolve("tmp"))) {
            assertEquals(List.of(), layers.toList(), "a refused layer is in the store");
            assertEquals(List.of(), scratch.toList(), "the pull left its scratch");
        }
        assertEquals(List.of(), store.list());
    }
}
