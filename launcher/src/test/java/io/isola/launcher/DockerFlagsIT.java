package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Docker's run flags as a Docker user types them, run for real; each check is the container's exit status. */
class DockerFlagsIT {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void store() {
        RootOnly.require();
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
    void pidHostSeesTheHostsProcessOne() throws Exception {
        String hostInit = Files.readString(Path.of("/proc/1/comm")).strip();
        assertEquals(
                0,
                isola(
                        "run",
                        "--rm",
                        "--pid",
                        "host",
                        "--",
                        "sh",
                        "-c",
                        "test \"$(cat /proc/1/comm)\" = '" + hostInit + "' && test $$ != 1"),
                err::toString);
        assertEquals(0, isola("run", "--rm", "--", "sh", "-c", "test $$ = 1"), err::toString);
    }

    @Test
    void ipcAndUtsHostShareTheHostsNamespaces() throws Exception {
        String ipc = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
        String uts = Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString();
        assertEquals(
                0,
                isola(
                        "run",
                        "--rm",
                        "--ipc",
                        "host",
                        "--uts",
                        "host",
                        "--",
                        "sh",
                        "-c",
                        "test \"$(readlink /proc/self/ns/ipc)\" = '" + ipc
                                + "' && test \"$(readlink /proc/self/ns/uts)\" = '" + uts + "'"),
                err::toString);
    }

    @Test
    void aReadOnlyBindMountShowsTheDirectory() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("f"), "hello\n");
        assertEquals(
                0,
                isola(
                        "run",
                        "--rm",
                        "--mount",
                        "type=bind,src=" + data + ",dst=/data,ro",
                        "--",
                        "sh",
                        "-c",
                        "test \"$(cat /data/f)\" = hello && ! touch /data/g 2>/dev/null"),
                err::toString);
        assertEquals(List.of("f"), List.of(data.toFile().list()));
    }

    @Test
    void networkNoneHasOnlyLoopback() {
        assertEquals(
                0,
                isola("run", "--rm", "--network", "none", "--", "sh", "-c", "test \"$(ls /sys/class/net)\" = lo"),
                err::toString);
    }

    @Test
    void entrypointReplacesTheImagesAndTheArgumentsFollowIt() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        Path image = ImageArchives.dockerSave(
                tmp.resolve("img.tar"), "test/ep:1", false, List.of("sh", "-c", "exit 7"), null);
        assertEquals(0, isola("image", "import", image.toString()), err::toString);
        assertEquals(7, isola("run", "--rm", "test/ep:1"), err::toString);
        assertEquals(7, isola("run", "--rm", "--entrypoint", "", "test/ep:1"), err::toString);
        assertEquals(5, isola("run", "--rm", "--entrypoint", "/bin/sh", "test/ep:1", "-c", "exit 5"), err::toString);
    }
}
