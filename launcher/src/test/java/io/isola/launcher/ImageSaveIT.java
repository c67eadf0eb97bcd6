package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tag}, {@code save} in both formats and {@code load} back: the image runs with its whiteouts as before. */
class ImageSaveIT {

    private static final String CHECK = "test \"$(cat /etc/lower)\" = lower && test \"$(cat /etc/upper)\" = upper"
            + " && ! test -e /etc/gone && test \"$(ls /dir)\" = new && test \"$FROM_IMAGE\" = 1";

    @TempDir
    Path tmp;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    @BeforeEach
    void store() {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        System.setProperty("isola.root", tmp.resolve("store").toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty("isola.root");
    }

    private int isola(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void aTaggedImageSavedInEitherFormatLoadsBackAndRuns() throws Exception {
        Path archive = ImageArchives.dockerSave(tmp.resolve("in.tar"), "test/busybox:1", false);
        assertEquals(0, isola("image", "import", archive.toString()), err::toString);
        assertEquals(0, isola("tag", "test/busybox:1", "localhost:5000/qa/busybox"), err::toString);
        assertEquals(0, isola("images"), err::toString);
        assertTrue(out.toString().contains("localhost:5000/qa/busybox:latest"), out::toString);

        assertEquals(
                0,
                isola("save", "-o", tmp.resolve("docker.tar").toString(), "localhost:5000/qa/busybox"),
                err::toString);
        assertEquals(
                0,
                isola(
                        "save",
                        "--format",
                        "oci-archive",
                        "-o",
                        tmp.resolve("oci.tar").toString(),
                        "test/busybox:1"),
                err::toString);
        assertEquals(
                Main.VERB_ERROR,
                isola("save", "--format", "zip", "-o", tmp.resolve("x").toString(), "test/busybox:1"));
        assertTrue(err.toString().contains("--format \"zip\": expected docker-archive or oci-archive"), err::toString);
        assertTrue(Files.notExists(tmp.resolve("x")));

        assertEquals(0, isola("image", "rm", "test/busybox:1", "localhost:5000/qa/busybox:latest"), err::toString);
        assertEquals(0, isola("load", "-i", tmp.resolve("docker.tar").toString()), err::toString);
        assertEquals("Loaded image: localhost:5000/qa/busybox:latest" + System.lineSeparator(), out.toString());
        assertEquals(0, isola("load", "-q", "-i", tmp.resolve("oci.tar").toString()), err::toString);
        assertEquals("Loaded image: test/busybox:1" + System.lineSeparator(), out.toString());
        for (String image : new String[] {"localhost:5000/qa/busybox", "test/busybox:1"}) {
            assertEquals(0, isola("run", "--rm", "--image", image, "--", "/bin/sh", "-c", CHECK), err::toString);
        }
        assertEquals(Main.VERB_ERROR, isola("tag", "test/busybox:1", "Bad Name"));
        assertTrue(err.toString().contains("image reference \"Bad Name\""), err::toString);
    }
}
