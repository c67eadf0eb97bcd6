package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names as Docker and podman read them in the store: ":latest" implied, "localhost/" for images from no registry. */
class ImageStoreNamesTest {

    @TempDir
    Path root;

    private ImageStore store(String... names) throws Exception {
        ImageStore store = new ImageStore(root);
        for (String name : names) {
            store.save(new Image(
                    name,
                    "sha256:" + "0".repeat(64),
                    List.of(),
                    null,
                    null,
                    null,
                    0,
                    "2026-01-01T00:00:00Z",
                    null,
                    null));
        }
        return store;
    }

    @Test
    void aNameWithoutRegistryFindsPodmansLocalhostImage() throws Exception {
        ImageStore store = store("localhost/qa/busybox:latest", "localhost/qa/busybox:2", "plain:1");
        assertEquals(
                "localhost/qa/busybox:latest",
                store.find("qa/busybox").orElseThrow().name());
        assertEquals(
                "localhost/qa/busybox:latest",
                store.find("qa/busybox:latest").orElseThrow().name());
        assertEquals(
                "localhost/qa/busybox:2",
                store.find("qa/busybox:2").orElseThrow().name());
        assertEquals(
                "localhost/qa/busybox:latest",
                store.find("localhost/qa/busybox").orElseThrow().name());
        assertEquals(
                "plain:1",
                store.find("localhost/plain:1").orElseThrow().name(),
                "and localhost/ finds an image named without it");
        assertEquals(false, store.find("qa/busybox:3").isPresent());
        assertEquals(false, store.find("plain").isPresent(), "plain:latest is not plain:1");
        assertEquals(
                false,
                store.find("localhost:5000/qa/busybox").isPresent(),
                "a registry on a port of localhost is another registry");
    }

    @Test
    void theExactNameComesFirst() throws Exception {
        ImageStore store = store("qa/busybox:latest", "localhost/qa/busybox:latest");
        assertEquals("qa/busybox:latest", store.find("qa/busybox").orElseThrow().name());
        assertEquals(
                "localhost/qa/busybox:latest",
                store.find("localhost/qa/busybox").orElseThrow().name());
    }
}
