package io.isola.launcher.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    private static final String HEX = "a".repeat(64);

    @Test
    void dockerHubShortNamesAreNormalisedAsDockerDoes() {
        assertEquals(
                "docker.io/library/busybox:latest",
                ImageReference.parse("busybox").toString());
        assertEquals(
                "docker.io/library/busybox:1.36",
                ImageReference.parse("busybox:1.36").toString());
        assertEquals(
                "docker.io/user/app:latest", ImageReference.parse("user/app").toString());
        assertEquals(
                "docker.io/library/busybox:latest",
                ImageReference.parse("docker.io/busybox").toString());
        assertEquals(
                "docker.io/library/busybox:latest",
                ImageReference.parse("index.docker.io/library/busybox").toString());
        assertEquals(
                "busybox:latest",
                ImageReference.parse("docker.io/library/busybox").storeName());
        assertEquals("user/app:2", ImageReference.parse("user/app:2").storeName());
        assertEquals("registry-1.docker.io", ImageReference.parse("busybox").apiHost());
    }

    @Test
    void otherRegistriesAreNamedByHost() {
        ImageReference local = ImageReference.parse("localhost:5000/qa/busybox");
        assertEquals("localhost:5000", local.registry());
        assertEquals("qa/busybox", local.repository());
        assertEquals("localhost:5000/qa/busybox:latest", local.storeName());
        assertEquals("quay.io", ImageReference.parse("quay.io/podman/hello").registry());
        assertEquals(
                "127.0.0.1:5000", ImageReference.parse("127.0.0.1:5000/x:1").apiHost());
        assertEquals("[::1]:5000", ImageReference.parse("[::1]:5000/x").registry());
    }

    @Test
    void aDigestIsWhatIsAskedForAndNamesTheStoredImageWithoutATag() {
        ImageReference byDigest = ImageReference.parse("busybox@sha256:" + HEX);
        assertEquals(null, byDigest.tag());
        assertEquals("sha256:" + HEX, byDigest.reference());
        assertEquals("busybox@sha256:" + HEX, byDigest.storeName());
        ImageReference both = ImageReference.parse("busybox:1@sha256:" + HEX);
        assertEquals("sha256:" + HEX, both.reference());
        assertEquals("busybox:1", both.storeName());
    }

    @Test
    void badReferencesNameThemselvesAndWhatIsAllowed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("BusyBox"))
                .getMessage()
                .contains("\"BusyBox\": the path component \"BusyBox\" must be lower-case"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("busybox@sha256:12"))
                .getMessage()
                .contains("the digest \"sha256:12\" is not sha256:<64 lower-case hex digits>"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("busybox:-x"))
                .getMessage()
                .contains("the tag \"-x\""));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("a//b"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("../etc"));
    }

    @Test
    void loginServersAreHostsOrDockersUrls() {
        assertEquals("docker.io", ImageReference.registry(null));
        assertEquals("docker.io", ImageReference.registry("https://index.docker.io/v1/"));
        assertEquals("127.0.0.1:5000", ImageReference.registry("http://127.0.0.1:5000"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.registry("a b"));
        assertTrue(ImageReference.isLoopback("localhost:5000"));
        assertTrue(ImageReference.isLoopback("127.0.0.2"));
        assertTrue(ImageReference.isLoopback("[::1]:80"));
        assertFalse(ImageReference.isLoopback("127.example.com"));
        assertFalse(ImageReference.isLoopback("docker.io"));
    }
}
