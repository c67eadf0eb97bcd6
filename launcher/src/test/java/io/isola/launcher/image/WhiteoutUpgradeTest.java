package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.spi.support.OverlayLayers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store written before whiteouts were devices (xattr whiteouts, Linux 6.7) is rewritten once, in place. */
class WhiteoutUpgradeTest {

    @TempDir
    Path tmp;

    @Test
    void xattrWhiteoutsBecomeCharacterDevicesAndTheStoreRecordsItsFormat() throws Exception {
        Path root = tmp.resolve("store");
        Path lower = Files.createDirectories(root.resolve("layers/sha256/" + "a".repeat(64)));
        Path layer = Files.createDirectories(root.resolve("layers/sha256/" + "b".repeat(64)));
        Files.createDirectories(lower.resolve("etc"));
        Files.writeString(lower.resolve("etc/gone"), "lower\n");
        Files.writeString(lower.resolve("etc/kept"), "kept\n");
        Files.createDirectories(lower.resolve("dir/sub"));
        Files.writeString(lower.resolve("dir/old"), "old\n");
        // what isola wrote before: an empty file with user.overlay.whiteout, its directory marked "x"
        Files.createDirectories(layer.resolve("etc"));
        Files.writeString(layer.resolve("etc/gone"), "");
        xattr(layer.resolve("etc/gone"), "overlay.whiteout", "");
        xattr(layer.resolve("etc"), "overlay.opaque", "x");
        Files.writeString(layer.resolve("etc/empty"), ""); // an empty file of the image's own stays one
        Files.createDirectories(layer.resolve("dir"));
        xattr(layer.resolve("dir"), "overlay.opaque", "y");
        Files.writeString(layer.resolve("dir/new"), "new\n");
        List<Path> topFirst = List.of(layer, lower);

        new ImageStore(root).secure(false);

        assertTrue(isDevice00(layer.resolve("etc/gone")), "a character device 0/0");
        assertTrue(Files.isRegularFile(layer.resolve("etc/empty"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of(), names(layer.resolve("etc")), "the \"x\" mark is gone");
        assertEquals("y", read(layer.resolve("dir"), "overlay.opaque"), "opaque directories stay");
        assertEquals("2\n", Files.readString(root.resolve("format")));
        assertEquals(OptionalInt.empty(), OverlayLayers.topmost(topFirst, List.of("etc", "gone")));
        assertEquals(OptionalInt.of(1), OverlayLayers.topmost(topFirst, List.of("etc", "kept")));
        assertEquals(OptionalInt.empty(), OverlayLayers.topmost(topFirst, List.of("dir", "old")));
        try (var entries = Files.list(layer.resolve("etc"))) {
            assertEquals(
                    List.of("empty", "gone"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing left beside them");
        }
    }

    @Test
    void aStoreWithItsFormatIsNotWalkedAgain() throws Exception {
        Path root = tmp.resolve("store");
        Path layer = Files.createDirectories(root.resolve("layers/sha256/" + "c".repeat(64)));
        Files.writeString(root.resolve("format"), "2\n");
        Files.writeString(layer.resolve("gone"), "");
        xattr(layer.resolve("gone"), "overlay.whiteout", "");

        new ImageStore(root).secure(false);

        assertFalse(isDevice00(layer.resolve("gone")), "left as it was");
    }

    private static boolean isDevice00(Path file) throws Exception {
        return ((Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000) == 0020000
                && (Long) Files.getAttribute(file, "unix:rdev", LinkOption.NOFOLLOW_LINKS) == 0;
    }

    private static UserDefinedFileAttributeView view(Path path) {
        return Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static List<String> names(Path path) throws Exception {
        return view(path).list();
    }

    private static void xattr(Path path, String name, String value) throws Exception {
        view(path).write(name, StandardCharsets.UTF_8.encode(value));
    }

    private static String read(Path path, String name) throws Exception {
        ByteBuffer value = ByteBuffer.allocate(view(path).size(name));
        view(path).read(name, value);
        return new String(value.array(), 0, value.position(), StandardCharsets.UTF_8);
    }
}
