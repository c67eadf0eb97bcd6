package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images imported from both tarball formats run through the CLI, in Felix, on overlayfs; the layers never change. */
class ImageIT {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

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
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void imagesFromDockerSaveAndOciLayoutRunWithWhiteoutsHonouredAndLayersUnchanged() throws Exception {
        Path docker = ImageArchives.dockerSave(tmp.resolve("docker.tar"), "test/busybox:1", false);
        Path oci = ImageArchives.ociLayout(tmp.resolve("oci.tar.gz"), "oci-busybox", true);
        assertEquals(0, isola("image", "import", docker.toString()), err::toString);
        assertEquals(0, isola("image", "import", oci.toString()), err::toString);
        assertEquals(0, isola("images"), err::toString);
        assertTrue(out.toString().contains("test/busybox:1") && out.toString().contains("oci-busybox"), out::toString);
        String layers = digest(tmp.resolve("store/layers"));
        String check = "test \"$(cat /etc/lower)\" = lower && test \"$(cat /etc/upper)\" = upper && ! test -e /etc/gone"
                + " && test \"$(ls /dir)\" = new && test \"$FROM_IMAGE\" = 1 && echo w > /etc/lower && echo n > /written";

        for (String image : new String[] {"test/busybox:1", "oci-busybox"}) {
            assertEquals(
                    0, isola("run", "--rm", "--image", image, "--", "/bin/busybox", "sh", "-c", check), err::toString);
        }

        assertEquals(layers, digest(tmp.resolve("store/layers")), "a container wrote into an image's layers");
        assertEmpty(tmp.resolve("store/containers"));
        assertEquals(0, isola("image", "rm", "test/busybox:1", "oci-busybox"), err::toString);
        assertEmpty(tmp.resolve("store/layers/sha256"));
    }

    @Test
    void aMissingImageIsAClearError() {
        assertEquals(Main.RUNTIME_ERROR, isola("run", "--rm", "--pull", "never", "--image", "nope", "true"));
        assertTrue(err.toString().startsWith("isola: image \"nope\": not in the store"), err::toString);
    }

    private static void assertEmpty(Path dir) throws Exception {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> list = Files.list(dir)) {
                assertEquals(0, list.count(), dir + " is not empty");
            }
        }
    }

    private static String digest(Path root) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted().toList()) {
                sha.update(root.relativize(path).toString().getBytes(UTF_8));
                if (Files.isSymbolicLink(path)) {
                    sha.update(Files.readSymbolicLink(path).toString().getBytes(UTF_8));
                } else if (Files.isRegularFile(path)) {
                    sha.update(Files.readAllBytes(path));
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
