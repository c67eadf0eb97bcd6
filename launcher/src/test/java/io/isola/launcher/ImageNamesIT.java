package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.launcher.image.ImageArchives;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images by name as Docker and podman users type them, on local images only: podman's {@code
 * localhost/} names, {@code :latest} implied, {@code image inspect} with Docker's fields, {@code
 * history}, and {@code images} sizes that count every layer, shared or not.
 */
class ImageNamesIT {

    @TempDir
    Path tmp;

    private Path store;
    private Path state;
    private String lastErr = "";
    private String lastOut = "";

    @BeforeEach
    void setUp() {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        store = tmp.resolve("store");
        state = tmp.resolve("state");
        System.setProperty("isola.root", store.toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty("isola.root");
    }

    private int isola(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", state.toString()));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        lastErr = e.toString();
        lastOut = o.toString();
        return code;
    }

    private String ok(String... args) {
        assertEquals(0, isola(args), () -> String.join(" ", args) + ": " + lastErr);
        return lastOut;
    }

    @Test
    void aNameWithoutRegistryFindsPodmansLocalhostImageEverywhere() throws Exception {
        ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("a.tar"), "localhost/qa/busybox:latest", false)
                        .toString());
        Path marker = Files.createDirectory(tmp.resolve("out"));
        ok(
                "run",
                "--rm",
                "--pull",
                "never",
                "-v",
                marker + ":/out",
                "qa/busybox",
                "sh",
                "-c",
                "cat /etc/upper > /out/ran");
        assertEquals("upper\n", Files.readString(marker.resolve("ran")));
        String id =
                ok("image", "inspect", "-f", "{{.Id}}", "localhost/qa/busybox").strip();
        assertEquals(
                id, ok("image", "inspect", "-f", "{{.Id}}", "qa/busybox:latest").strip());
        ok("tag", "qa/busybox", "qa/other:2");
        assertEquals(
                id,
                ok("image", "inspect", "-f", "{{.Id}}", "localhost/qa/other:2").strip(),
                "localhost/ finds qa/other:2");
        ok("image", "rm", "qa/busybox");
        ok("image", "rm", "localhost/qa/other:2");
        assertEquals("", ok("images", "-q"));
    }

    @Test
    void imageInspectAndHistoryShowDockersFields() throws Exception {
        ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("b.tar"), "test/busybox:1", false)
                        .toString());
        JsonNode inspected = new ObjectMapper().readTree(ok("image", "inspect", "test/busybox:1"));
        assertEquals(1, inspected.size());
        JsonNode image = inspected.get(0);
        assertTrue(image.get("Id").asText().matches("sha256:[0-9a-f]{64}"), image::toString);
        assertEquals("[\"test/busybox:1\"]", image.get("RepoTags").toString());
        assertEquals("amd64", image.get("Architecture").asText());
        assertEquals("linux", image.get("Os").asText());
        assertEquals("[\"/bin/sh\"]", image.get("Config").get("Cmd").toString());
        assertEquals(2, image.get("RootFS").get("Layers").size());
        long layers = layerBytes();
        assertEquals(layers, image.get("Size").asLong(), "the layers' files");

        List<String> history = List.of(ok("history", "test/busybox:1").split("\n"));
        assertEquals(3, history.size(), history::toString);
        assertTrue(history.get(0).matches("IMAGE +CREATED +CREATED BY +SIZE +COMMENT"), history.get(0));
        assertTrue(history.get(1).startsWith(image.get("Id").asText().substring(7, 19) + " "), history.get(1));
        assertTrue(history.get(2).startsWith("<missing> "), history.get(2));
        assertEquals(
                List.of(image.get("Id").asText().substring(7, 19), "<missing>"),
                List.of(ok("image", "history", "-q", "test/busybox:1").split("\n")));

        // committed: a step of its own on top, the container's layer
        ok("run", "--name", "c", "test/busybox:1", "sh", "-c", "echo hello > /etc/hello");
        ok("commit", "c", "test/committed");
        ok("rm", "c");
        List<String> steps =
                List.of(ok("history", "--format", "{{.Size}}|{{.CreatedBy}}", "--no-trunc", "test/committed")
                        .split("\n"));
        assertEquals(3, steps.size(), steps::toString);
        assertTrue(steps.get(0).startsWith("6B|"), steps.toString());
    }

    @Test
    void imagesCountEveryLayerOfAnImageAlsoWhenAnotherImageHasItAlready() throws Exception {
        ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("c.tar"), "test/first:1", false)
                        .toString());
        ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("d.tar"), "test/second:1", false)
                        .toString());
        String size = ok("image", "inspect", "-f", "{{.Size}}", "test/first:1").strip();
        assertEquals(Long.toString(layerBytes()), size);
        assertEquals(
                size,
                ok("image", "inspect", "-f", "{{.Size}}", "test/second:1").strip(),
                "the second import shares the layers");
        List<String> sizes = List.of(ok("images", "--format", "{{.Size}}").split("\n"));
        assertEquals(2, sizes.size());
        assertEquals(sizes.get(0), sizes.get(1));
    }

    /** The bytes of the regular files in the store's layers. */
    private long layerBytes() throws Exception {
        try (Stream<Path> files = Files.walk(store.resolve("layers"))) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }
}
