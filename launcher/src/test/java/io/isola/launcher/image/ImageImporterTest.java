package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports into a store of the test's own; no container is started. */
class ImageImporterTest {

    @TempDir
    Path tmp;

    private ImageStore store;
    private ImageImporter importer;

    @BeforeEach
    void store() {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        store = new ImageStore(tmp.resolve("store"));
        importer = new ImageImporter(store, ImportProgress.QUIET);
    }

    @Test
    void aDockerSaveTarballIsStoredLayerByLayerWithWhiteoutsAsEveryOverlayfsReadsThem() throws Exception {
        Image image =
                importer.importFile(ImageArchives.dockerSave(tmp.resolve("a.tar"), "test/busybox:1", false), null);

        assertEquals("test/busybox:1", image.name());
        assertEquals(2, image.layers().size());
        assertEquals(List.of("PATH=/bin", "FROM_IMAGE=1"), image.env());
        Path top = store.layer(image.layers().get(1));
        // a character device 0/0, which overlayfs reads on every kernel (the xattr form needs 6.7)
        assertEquals(
                Map.of("mode", 0020000, "rdev", 0L),
                Map.of(
                        "mode",
                        (Integer) Files.getAttribute(top.resolve("etc/gone"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
                                & 0170000,
                        "rdev",
                        Files.getAttribute(top.resolve("etc/gone"), "unix:rdev", LinkOption.NOFOLLOW_LINKS)));
        assertEquals("y", xattr(top.resolve("dir"), "overlay.opaque"), "this file system has user xattrs");
        assertEquals(List.of(), userXattrs(top.resolve("etc")), "no mark for xattr whiteouts");
        assertEquals("2\n", Files.readString(store.root().resolve("format")));
        assertTrue(Files.isSymbolicLink(store.layer(image.layers().get(0)).resolve("bin/sh")));
        assertEquals(List.of(image), store.list());
        assertEmpty(store.root().resolve("tmp"));
    }

    @Test
    void anOciLayoutSharesItsLayersWithTheSameContentAndRemovalKeepsTheSharedOnes() throws Exception {
        Image docker = importer.importFile(ImageArchives.dockerSave(tmp.resolve("a.tar"), "one", false), null);
        Image oci = importer.importFile(ImageArchives.ociLayout(tmp.resolve("b.tar.gz"), "two", true), null);

        assertEquals("two", oci.name());
        assertEquals(docker.layers(), oci.layers(), "the same content is stored once");
        assertEquals(2, layerCount());

        store.remove("one");
        assertEquals(2, layerCount(), "layers the other image uses stay");
        store.remove("two");
        assertEquals(0, layerCount());
        assertEquals(List.of(), store.list());
    }

    @Test
    void aTruncatedOrCorruptTarballIsRefusedAndLeavesNothing() throws Exception {
        Path archive = ImageArchives.dockerSave(tmp.resolve("a.tar"), "t", false);
        Path truncated = tmp.resolve("truncated.tar");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(archive), (int) Files.size(archive) / 2));
        Path garbage = Files.writeString(tmp.resolve("garbage.tar"), "not a tarball at all");

        String t = assertThrows(IllegalArgumentException.class, () -> importer.importFile(truncated, null))
                .getMessage();
        String g = assertThrows(IllegalArgumentException.class, () -> importer.importFile(garbage, null))
                .getMessage();

        assertTrue(t.startsWith("image archive \"" + truncated + "\": "), t);
        assertTrue(g.startsWith("image archive \"" + garbage + "\": "), g);
        assertEquals(0, layerCount());
        assertEquals(List.of(), store.list());
        assertEmpty(store.root().resolve("tmp"));
    }

    @Test
    void aDigestMismatchIsRefusedAndLeavesNothing() throws Exception {
        Path archive = ImageArchives.ociLayout(tmp.resolve("oci.tar"), "oci", false);
        flipLastByteOfLargestBlob(archive);

        String message = assertThrows(IllegalArgumentException.class, () -> importer.importFile(archive, null))
                .getMessage();

        assertTrue(
                message.contains("the content's digest is sha256:") && message.contains("a corrupt or altered archive"),
                message);
        assertEquals(0, layerCount());
        assertEquals(List.of(), store.list());
    }

    @Test
    void aLayerWhoseContentDoesNotMatchTheConfigIsRefused() throws Exception {
        Path archive = ImageArchives.dockerSave(tmp.resolve("a.tar"), "t", false);
        flipLastByteOfLargestBlob(archive); // docker's layer.tar names no digest: the config's diff_ids catch it

        String message = assertThrows(IllegalArgumentException.class, () -> importer.importFile(archive, null))
                .getMessage();

        assertTrue(message.contains("the content's digest is"), message);
        assertEquals(0, layerCount());
    }

    @Test
    void badNamesAndMissingFilesAreRefused() {
        assertEquals(
                "image name \"Bad Name\": expected lower-case letters, digits and . _ - : / @, starting with a letter or digit",
                assertThrows(IllegalArgumentException.class, () -> importer.importFile(tmp, "Bad Name"))
                        .getMessage());
        assertEquals(
                "image archive \"" + tmp.resolve("nope") + "\": no such file",
                assertThrows(IllegalArgumentException.class, () -> importer.importFile(tmp.resolve("nope"), null))
                        .getMessage());
        assertEquals(
                "image \"nope\": not in the store " + store.root()
                        + "; pull it with 'isola pull nope' or import it with 'isola image import FILE'",
                assertThrows(IllegalArgumentException.class, () -> store.get("nope"))
                        .getMessage());
    }

    @Test
    void anEntryTheArchiveHoldsTwiceIsRefusedNamingIt() throws Exception {
        Path archive = tmp.resolve("twice.tar");
        Files.write(
                archive,
                HostileLayerTest.tar(
                        HostileLayerTest.file("manifest.json", 0644, "[]"),
                        HostileLayerTest.file("./manifest.json", 0644, "[]")));

        String message = assertThrows(IllegalArgumentException.class, () -> importer.importFile(archive, null))
                .getMessage();

        assertEquals(
                "image archive \"" + archive + "\": entry \"./manifest.json\" names a file the archive holds already",
                message);
    }

    /** Changes one byte in the middle of the busybox binary's bytes, wherever the archive holds them. */
    private static void flipLastByteOfLargestBlob(Path archive) throws Exception {
        byte[] bytes = Files.readAllBytes(archive);
        byte[] busybox = Files.readAllBytes(ImageArchives.BUSYBOX);
        byte[] probe = Arrays.copyOfRange(busybox, 1000, 1064);
        int at = indexOf(bytes, probe);
        if (at < 0) { // compressed: flip a byte in the middle of the archive instead
            at = bytes.length / 2;
        }
        try (RandomAccessFile file = new RandomAccessFile(archive.toFile(), "rw")) {
            file.seek(at + 10);
            int b = file.read();
            file.seek(at + 10);
            file.write(b ^ 0xff);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private long layerCount() throws Exception {
        Path layers = store.root().resolve("layers/sha256");
        if (!Files.isDirectory(layers)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(layers)) {
            return list.count();
        }
    }

    private static void assertEmpty(Path dir) throws Exception {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> list = Files.list(dir)) {
                assertFalse(list.findAny().isPresent(), dir + " is not empty");
            }
        }
    }

    private static List<String> userXattrs(Path path) throws Exception {
        return Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .list();
    }

    private static String xattr(Path path, String name) throws Exception {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        ByteBuffer value = ByteBuffer.allocate(view.size(name));
        view.read(name, value);
        return new String(value.array(), 0, value.position(), StandardCharsets.UTF_8);
    }
}
