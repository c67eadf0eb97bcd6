package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --entrypoint replaces an image's Entrypoint as Docker's does; nothing is started. */
class DockerEntrypointFlagTest {

    @TempDir
    Path tmp;

    /** A store that holds "demo": Entrypoint ep, Cmd c1 c2. */
    @BeforeEach
    void store() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Files.writeString(
                images.resolve("demo%3Alatest.json"),
                "{\"name\":\"demo:latest\",\"id\":\"sha256:00\","
                        + "\"layers\":[\"sha256:11\"],\"env\":[],\"cmd\":[\"c1\",\"c2\"],\"workingDir\":\"/\","
                        + "\"size\":0,\"imported\":\"now\",\"entrypoint\":[\"ep\"]}");
        System.setProperty("isola.root", tmp.toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty("isola.root");
    }

    private static List<String> command(String... args) {
        return DockerNamespaceFlagsTest.spec(args).command();
    }

    @Test
    void anEntrypointReplacesTheImagesAndItsCmd() {
        assertEquals(
                List.of("/bin/sh"),
                command("run", "--entrypoint", "/bin/sh", "demo"),
                "Docker drops the image's Cmd too");
        assertEquals(
                List.of("/bin/sh", "-c", "echo hi"),
                command("run", "--entrypoint", "/bin/sh", "demo", "-c", "echo hi"));
        assertEquals(List.of("/bin/sh", "x"), command("run", "--entrypoint=/bin/sh", "--image", "demo", "x"));
    }

    @Test
    void anEmptyEntrypointClearsTheImagesAndKeepsItsCmd() {
        assertEquals(List.of("c1", "c2"), command("run", "--entrypoint", "", "demo"));
        assertEquals(List.of("ls", "-l"), command("run", "--entrypoint=", "demo", "ls", "-l"));
    }

    @Test
    void withoutAnImageTheEntrypointComesBeforeTheCommand() {
        assertEquals(List.of("/bin/echo", "hi"), command("run", "--entrypoint", "/bin/echo", "--", "hi"));
        assertEquals(List.of("/bin/true"), command("run", "--entrypoint", "/bin/true"));
        assertEquals(List.of("sh"), command("run", "--entrypoint", "", "sh"));
    }
}
