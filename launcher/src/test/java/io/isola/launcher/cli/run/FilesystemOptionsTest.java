package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import io.isola.launcher.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --rootfs, --read-only, -v and --tmpfs become the spec's Filesystem; nothing is started. */
class FilesystemOptionsTest {

    private static ContainerSpec spec(String... args) {
        StringWriter sink = new StringWriter();
        RunCommand run = (RunCommand) Main.commandLine(new PrintWriter(sink), new PrintWriter(sink))
                .parseArgs(args)
                .subcommand()
                .commandSpec()
                .userObject();
        return run.spec();
    }

    @Test
    void withoutOptionsTheSpecCarriesNoFilesystem() {
        assertFalse(spec("run", "true").extension(Filesystem.class).isPresent());
    }

    @Test
    void optionsReachTheSpec() {
        Filesystem fs = spec(
                        "run",
                        "--rootfs",
                        "/srv/img",
                        "--read-only",
                        "-v",
                        "/a:/b:ro",
                        "--volume",
                        "/c:/d",
                        "--tmpfs",
                        "/run:size=1m",
                        "sh")
                .extension(Filesystem.class)
                .orElseThrow();

        assertEquals("/srv/img", fs.rootfs().orElseThrow());
        assertEquals(true, fs.readOnly());
        assertEquals(List.of(new Volume("/a", "/b", true), new Volume("/c", "/d", false)), fs.volumes());
        assertEquals(List.of(new TmpfsMount("/run", 1 << 20, 01777, false)), fs.tmpfs());
    }

    @TempDir
    Path tmp;

    /** The positional rule of run --help, against a store that holds "demo" (Entrypoint ep, Cmd c1 c2, WorkingDir /w). */
    @Test
    void theFirstArgumentIsAnImageWhenTheStoreHoldsItOrItHasATag() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Files.writeString(
                images.resolve("demo%3Alatest.json"),
                "{\"name\":\"demo:latest\",\"id\":\"sha256:00\","
                        + "\"layers\":[\"sha256:11\"],\"env\":[\"A=1\"],\"cmd\":[\"c1\",\"c2\"],\"workingDir\":\"/w\","
                        + "\"size\":0,\"imported\":\"now\",\"entrypoint\":[\"ep\"]}");
        System.setProperty("isola.root", tmp.toString());
        try {
            ContainerSpec image = spec("run", "demo");
            assertEquals(List.of("ep", "c1", "c2"), image.command(), "the image's Entrypoint and Cmd");
            assertEquals("/w", image.cwd());
            assertEquals("1", image.env().get("A"));
            Filesystem fs = image.extension(Filesystem.class).orElseThrow();
            assertEquals(List.of(tmp.resolve("layers/sha256/11").toString()), fs.layers());
            assertEquals("demo:latest", fs.image().orElseThrow());
            assertEquals(
                    tmp.resolve("containers").resolve(image.id().orElseThrow()).toString(),
                    fs.writableLayer().orElseThrow());

            assertEquals(
                    List.of("ep", "x", "y"),
                    spec("run", "-w", "/", "demo:latest", "x", "y").command(),
                    "Cmd replaced");
            assertEquals("/", spec("run", "-w", "/", "demo", "x").cwd());
            assertEquals(List.of("demo", "x"), spec("run", "--", "demo", "x").command(), "-- makes it the command");
            assertFalse(spec("run", "--", "demo").extension(Filesystem.class).isPresent());
            assertEquals(
                    List.of("sh", "-c", "true"), spec("run", "sh", "-c", "true").command(), "not in the store");
            assertEquals(List.of("/bin/sh"), spec("run", "/bin/sh").command());
            assertEquals(
                    "image \"other:1\": not in the store " + tmp + "; pull it with 'isola pull other:1' or import it"
                            + " with 'isola image import FILE'",
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> spec("run", "--pull", "never", "other:1", "true"))
                            .getMessage());
            assertEquals(
                    "--pull \"later\": expected missing, always or never",
                    assertThrows(IllegalArgumentException.class, () -> spec("run", "--pull", "later", "other:1"))
                            .getMessage());
            assertEquals(
                    List.of("c1"),
                    spec("run", "--image", "demo", "c1").command().subList(1, 2));
        } finally {
            System.clearProperty("isola.root");
        }
        assertEquals(
                "expected an image or a command: 'isola run [OPTIONS] IMAGE [CMD...]' or 'isola run [OPTIONS] -- CMD...'",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--rm"))
                        .getMessage());
    }

    @Test
    void badValuesAreRejectedWithTheValue() {
        assertEquals(
                "volume \"a\": expected HOST:CONTAINER[:ro], NAME:CONTAINER[:ro] or CONTAINER (an absolute path: an"
                        + " anonymous volume)",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "-v", "a", "true"))
                        .getMessage());
        assertEquals(
                "volume \"/a:/b:/c:ro\": expected HOST:CONTAINER or HOST:CONTAINER:ro",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "-v", "/a:/b:/c:ro", "true"))
                        .getMessage());
        assertEquals(
                "root file system \"img\": expected an absolute path without NUL bytes",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--rootfs", "img", "true"))
                        .getMessage());
        assertEquals(
                "--rootfs, --read-only, -v, --mount and --tmpfs need a mount namespace; drop --no-mount",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--no-mount", "-v", "/a:/b", "true"))
                        .getMessage());
    }
}
