package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's copy-up from layers an image chose: the merged view is copied (whiteouts applied), a
 * link is copied as a link, and a link on the way to the volume's path means no copy at all: the
 * host's files (here a directory of the test's own) are never reached through the image's links.
 */
class VolumeSeedTest {

    @TempDir
    Path tmp;

    private Path layer(String name, Map<String, Object> entries) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("layers").resolve(name));
        LayerExtractor.extract(new ByteArrayInputStream(ImageArchives.layer(entries)), dir, name);
        return dir;
    }

    private Path data() throws Exception {
        return Files.createDirectories(tmp.resolve("volume/_data"));
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> !p.equals(dir))
                    .map(p -> dir.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theMergedDirectoryIsCopiedWithItsLinksAsLinks() throws Exception {
        Map<String, Object> lower = new LinkedHashMap<>();
        lower.put("data", null);
        lower.put("data/old", bytes("old\n"));
        lower.put("data/kept", bytes("kept\n"));
        Map<String, Object> upper = new LinkedHashMap<>();
        upper.put("data", null);
        upper.put("data/.wh.old", new byte[0]);
        upper.put("data/new", bytes("new\n"));
        upper.put("data/escape", "->" + tmp.resolve("host"));
        upper.put("data/up", "->../../..");
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("secret"), "host\n");
        List<Path> layers = List.of(layer("upper", upper), layer("lower", lower));
        Path data = data();

        assertTrue(VolumeSeed.seed(layers, "/data", data, tmp.resolve("volume")));

        assertEquals(List.of("escape", "kept", "new", "up"), names(data), "the whiteout hides old; no link followed");
        assertEquals(tmp.resolve("host"), Files.readSymbolicLink(data.resolve("escape")));
        assertEquals("kept\n", Files.readString(data.resolve("kept")));
        assertEquals(List.of("secret"), names(host), "the host's directory untouched");
        assertEquals(
                List.of("_data"),
                names(tmp.resolve("volume")).stream()
                        .filter(n -> !n.startsWith("_data/"))
                        .toList(),
                "no scratch left");
    }

    @Test
    void aLinkOnTheWayToThePathMeansNoCopy() throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("secret"), "host\n");
        Map<String, Object> entries = new LinkedHashMap<>();
        entries.put("data", "->" + host); // absolute: the container's /..., never the host's
        entries.put("rel", "->../../host");
        List<Path> layers = List.of(layer("only", entries));
        Path data = data();

        assertFalse(VolumeSeed.seed(layers, "/data", data, tmp.resolve("volume")));
        assertFalse(VolumeSeed.seed(layers, "/rel/sub", data, tmp.resolve("volume")));
        assertFalse(VolumeSeed.seed(layers, "/missing", data, tmp.resolve("volume")));
        assertEquals(List.of(), names(data));
    }

    @Test
    void aDirectoryDeletedAboveIsNotCopiedFromBelow() throws Exception {
        Map<String, Object> lower = new LinkedHashMap<>();
        lower.put("data", null);
        lower.put("data/old", bytes("old\n"));
        Map<String, Object> upper = new LinkedHashMap<>();
        upper.put(".wh.data", new byte[0]);
        List<Path> layers = List.of(layer("upper", upper), layer("lower", lower));
        Path data = data();

        assertFalse(VolumeSeed.seed(layers, "/data", data, tmp.resolve("volume")));
        assertEquals(List.of(), names(data));
        assertTrue(Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aRootfsDirectoryIsCopiedAsItIsWithItsLinksAsLinksAndNoLinkOnTheWayFollowed() throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("secret"), "host\n");
        Path rootfs = tmp.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("data/sub"));
        Files.writeString(rootfs.resolve("data/sub/file"), "deep\n");
        Files.createSymbolicLink(rootfs.resolve("data/escape"), host);
        Files.createSymbolicLink(rootfs.resolve("link"), host);
        Files.setPosixFilePermissions(rootfs.resolve("data"), PosixFilePermissions.fromString("rwxr-x---"));
        Path data = data();

        assertFalse(VolumeSeed.seedFromDirectory(rootfs, "/link", data, tmp.resolve("volume")));
        assertFalse(VolumeSeed.seedFromDirectory(rootfs, "/link/secret", data, tmp.resolve("volume")));
        assertFalse(VolumeSeed.seedFromDirectory(rootfs, "/missing", data, tmp.resolve("volume")));
        assertEquals(List.of(), names(data));
        assertTrue(VolumeSeed.seedFromDirectory(rootfs, "/data", data, tmp.resolve("volume")));

        assertEquals(List.of("escape", "sub", "sub/file"), names(data));
        assertEquals(host, Files.readSymbolicLink(data.resolve("escape")), "copied as a link, not followed");
        assertEquals("deep\n", Files.readString(data.resolve("sub/file")));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        assertEquals(List.of("secret"), names(host), "the host's directory untouched");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
