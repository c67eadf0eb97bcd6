package io.isola.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two layers with each way overlayfs has of hiding a lower name, looked up from the host. */
class OverlayLayersTest {

    @TempDir
    Path tmp;

    private Path upper;
    private Path lower;

    @BeforeEach
    void layers() throws Exception {
        upper = Files.createDirectories(tmp.resolve("upper"));
        lower = Files.createDirectories(tmp.resolve("lower"));
        for (String file : List.of("etc/passwd", "etc/group", "opt/app/bin", "var/log/x", "srv/data", "etc/hosts")) {
            Files.createDirectories(lower.resolve(file).getParent());
            Files.writeString(lower.resolve(file), "lower\n");
        }
        Files.createDirectories(upper.resolve("etc"));
        Files.writeString(upper.resolve("etc/passwd"), "upper\n");
        Files.createFile(upper.resolve("etc/group"));
        xattr(upper.resolve("etc/group"), "overlay.whiteout", "");
        Files.createDirectories(upper.resolve("opt"));
        xattr(upper.resolve("opt"), "overlay.opaque", "y");
        Files.createDirectories(upper.resolve("var"));
        Files.writeString(upper.resolve("var/log"), "a file over the lower directory\n");
        Files.createSymbolicLink(upper.resolve("srv"), Path.of("/elsewhere"));
    }

    @Test
    void theTopmostLayerShowsANameUnlessAWhiteoutOrAnOpaqueDirectoryHidesIt() throws Exception {
        assertEquals(OptionalInt.of(0), topmost("etc/passwd"));
        assertEquals(OptionalInt.of(1), topmost("etc/hosts"), "directories merge: the lower layer's name shows");
        assertEquals(OptionalInt.empty(), topmost("etc/group"), "a whiteout");
        assertEquals(OptionalInt.of(0), topmost("opt"));
        assertEquals(OptionalInt.empty(), topmost("opt/app"), "below an opaque directory");
        assertEquals(OptionalInt.empty(), topmost("var/log/x"), "a file on the way hides the directory below");
        assertEquals(OptionalInt.empty(), topmost("srv/data"), "so does a link: the caller resolves it");
        assertEquals(OptionalInt.empty(), topmost("nothing"));
    }

    @Test
    void bothFormsOfWhiteoutAreWhiteouts() throws Exception {
        Path device = tmp.resolve("device");
        Process mknod = new ProcessBuilder("mknod", device.toString(), "c", "0", "0")
                .inheritIO()
                .start();
        assertEquals(0, mknod.waitFor(), "mknod needs root");

        assertTrue(OverlayLayers.isWhiteout(device));
        assertTrue(OverlayLayers.isWhiteout(upper.resolve("etc/group")));
        assertFalse(OverlayLayers.isWhiteout(upper.resolve("etc/passwd")), "a file with content");
        assertFalse(OverlayLayers.isWhiteout(tmp.resolve("missing")));
        assertTrue(OverlayLayers.isOpaque(upper.resolve("opt")));
        assertFalse(OverlayLayers.isOpaque(upper.resolve("etc")));
    }

    private OptionalInt topmost(String relative) throws Exception {
        return OverlayLayers.topmost(List.of(upper, lower), List.of(relative.split("/")));
    }

    private static void xattr(Path path, String name, String value) throws Exception {
        Files.getFileAttributeView(path, UserDefinedFileAttributeView.class)
                .write(name, StandardCharsets.UTF_8.encode(value));
    }
}
