package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image store against the host's other users (issue 23, escape 4): a container that leaves a
 * setuid-root binary in its writable layer must not hand host root to whoever can reach the
 * store's path, and the store is created, and tightened, so that only its owner gets in.
 */
class StoreModesIT {

    private static final String IMAGE = "test/busybox:1";
    private static final String ATTACKER = "isola-attacker";

    @TempDir
    Path tmp;

    private Path store;
    private Path state;
    private Path host;
    private String lastErr = "";

    @BeforeEach
    void importImage() throws Exception {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        // as /var/lib is: any user may walk the path down to the store
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        store = tmp.resolve("store");
        state = tmp.resolve("state");
        host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("file"), "host\n");
        System.setProperty("isola.root", store.toString());
        Path archive = ImageArchives.dockerSave(tmp.resolve("image.tar"), IMAGE, false);
        assertEquals(0, isola("image", "import", archive.toString()), () -> lastErr);
    }

    @AfterEach
    void clear() throws Exception {
        System.clearProperty("isola.root");
        run(List.of("userdel", ATTACKER));
    }

    @Test
    void aSetuidFileInAStoppedContainersLayerCannotBeRunByAnotherHostUser() throws Exception {
        assertEquals(
                0,
                isola(
                        "run",
                        "--name",
                        "suid",
                        IMAGE,
                        "sh",
                        "-c",
                        "busybox cp /bin/busybox /true && busybox chmod 4755 /true && busybox ln -s " + host
                                + " /hostdir" + " && busybox ln -s " + host.resolve("file") + " /hostfile"),
                () -> lastErr);
        Path upper = onlyWritableLayer().resolve("upper");
        assertEquals(
                04755, (Integer) Files.getAttribute(upper.resolve("true"), "unix:mode") & 07777, "a setuid-root file");
        assertEquals(0, run(List.of("useradd", "-M", "-s", "/bin/sh", ATTACKER)), "useradd");

        // busybox picks its applet by name: "true" exits 0 when it runs at all
        int ran = run(
                List.of("runuser", "-u", ATTACKER, "--", upper.resolve("true").toString()));
        int listed = run(List.of("runuser", "-u", ATTACKER, "--", "/bin/ls", store.toString()));

        assertNotEquals(0, ran, "another host user ran the container's setuid-root file");
        assertNotEquals(0, listed, "another host user listed the store");
        assertEquals("rwx--x--x", mode(store));
        assertEquals("rwx------", mode(upper.getParent()));

        assertEquals(0, isola("rm", "suid"), () -> lastErr);
        assertFalse(Files.exists(upper.getParent(), LinkOption.NOFOLLOW_LINKS));
        assertEquals("host\n", Files.readString(host.resolve("file")), "rm followed a link of the container");
        assertEquals("rwxr-xr-x", mode(host));
    }

    @Test
    void aStoreMadeUnderUmask000IsItsOwnersOnly() throws Exception {
        Path fresh = tmp.resolve("fresh");
        String isola = System.getProperty("java.home") + "/bin/java";
        List<String> command = new ArrayList<>(List.of(
                "sh",
                "-c",
                "umask 000 && exec \"$@\"",
                "sh",
                isola,
                "-Disola.bundles=" + System.getProperty("isola.bundles"),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "--root",
                state.toString(),
                "image",
                "import",
                tmp.resolve("image.tar").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ISOLA_ROOT", fresh.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);

        assertEquals("rwx--x--x", mode(fresh));
        for (String dir : List.of("images", "blobs", "tmp")) {
            assertEquals("rwx------", mode(fresh.resolve(dir)), dir);
        }
        assertEquals("rwx--x--x", mode(fresh.resolve("layers")));
        try (Stream<Path> layers = Files.list(fresh.resolve("layers/sha256"))) {
            for (Path layer : layers.toList()) {
                assertEquals("rwx------", mode(layer), layer.toString());
            }
        }
    }

    @Test
    void anExistingOpenStoreIsTightenedByTheNextCommand() throws Exception {
        // as an older isola left it: every directory 0755 (a store this JVM has not opened yet)
        Path open = tmp.resolve("open");
        Path layer = Files.createDirectories(open.resolve("containers/0123456789ab/upper"));
        Path image = Files.createDirectories(open.resolve("layers/sha256/0123456789ab"));
        Files.createDirectories(open.resolve("images"));
        for (Path dir : List.of(
                open,
                open.resolve("containers"),
                layer.getParent(),
                layer,
                open.resolve("images"),
                open.resolve("layers"),
                open.resolve("layers/sha256"),
                image)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        System.setProperty("isola.root", open.toString());

        assertEquals(0, isola("ps", "-a"), () -> lastErr);

        assertEquals("rwx------", mode(image));

        assertEquals("rwx--x--x", mode(open));
        assertEquals("rwx--x--x", mode(open.resolve("containers")));
        assertEquals("rwx------", mode(layer.getParent()));
        assertEquals("rwx------", mode(open.resolve("images")));
        assertEquals("rwxr-xr-x", mode(layer), "a container's upper directory is its root: it keeps its mode");
    }

    private Path onlyWritableLayer() throws IOException {
        try (Stream<Path> layers = Files.list(store.resolve("containers"))) {
            List<Path> all = layers.toList();
            assertEquals(1, all.size(), all::toString);
            return all.get(0);
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private int isola(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", state.toString()));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        lastErr = e.toString();
        return code;
    }

    private static int run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), command::toString);
        return process.exitValue();
    }
}
