package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import io.isola.lifecycle.MonitorProcess;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images as Docker users drive them, through the CLI in Felix on the real kernel: {@code run
 * IMAGE [CMD]}, containers that keep their writable layer until {@code rm}, {@code export},
 * {@code commit}, and nothing left behind (no writable layer, no overlay mount) after many runs,
 * after a killed CLI, and after bad input. The image is built from the host's busybox-static.
 */
class ContainerImageIT {

    private static final String IMAGE = "test/busybox:1";

    @TempDir
    Path tmp;

    private Path store;
    private Path state;
    private Path out;
    private String lastErr = "";
    private String lastOut = "";

    @BeforeEach
    void importImage() throws Exception {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        store = tmp.resolve("store");
        state = tmp.resolve("state");
        out = Files.createDirectory(tmp.resolve("out"));
        System.setProperty("isola.root", store.toString());
        // the image's default command reports where and with what it ran, into the volume at /out
        Path archive = ImageArchives.dockerSave(
                tmp.resolve("image.tar"),
                IMAGE,
                false,
                List.of("/bin/sh", "-c", "pwd > /out/default; echo $FROM_IMAGE >> /out/default"),
                "/etc");
        assertEquals(0, isola("image", "import", archive.toString()), () -> lastErr);
    }

    @AfterEach
    void clear() {
        System.clearProperty("isola.root");
    }

    private int isola(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", state.toString()));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
        lastErr = e.toString();
        lastOut = o.toString();
        return code;
    }

    private String volume() {
        return out + ":/out";
    }

    @Test
    void aPositionalImageRunsItsOwnCommandOrTheGivenOne() throws Exception {
        assertEquals(0, isola("run", "--rm", "-v", volume(), IMAGE), () -> lastErr);
        assertEquals("/etc\n1\n", Files.readString(out.resolve("default")), "the image's Cmd, WorkingDir and Env");

        assertEquals(
                0,
                isola("run", "--rm", "-v", volume(), IMAGE, "sh", "-c", "cat /etc/upper > /out/given"),
                () -> lastErr);
        assertEquals("upper\n", Files.readString(out.resolve("given")));

        // "--" makes the first argument the command: the host's files, where /etc/upper is not
        assertEquals(
                0,
                isola(
                        "run",
                        "--rm",
                        "-v",
                        volume(),
                        "--",
                        "/bin/sh",
                        "-c",
                        "test -e /etc/upper; echo $? > /out/sandbox"),
                () -> lastErr);
        assertEquals("1\n", Files.readString(out.resolve("sandbox")));
        assertNothingLeft();
    }

    /**
     * Containers of an image run as its User, names looked up in its /etc/passwd, as Docker runs
     * them, with HOME from there; --user overrides it.
     */
    @Test
    void anImagesUserRunsItsContainersUnlessUserOverridesIt() throws Exception {
        String ids = "echo $(busybox id -u) $(busybox id -g) $(busybox id -G) $HOME > /out/";
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx")); // for uid 1234
        for (String user : List.of("app", "1234:1235")) {
            String image = "test/user:" + user.replace(':', '-');
            assertEquals(
                    0,
                    isola(
                            "image",
                            "import",
                            ImageArchives.dockerSaveWithUser(tmp.resolve(user + ".tar"), image, user)
                                    .toString()),
                    () -> lastErr);
            assertEquals(0, isola("run", "--rm", "-v", volume(), image, "sh", "-c", ids + "image"), () -> lastErr);
            assertEquals(
                    user.equals("app") ? "1234 1235 1235 50 /home/app\n" : "1234 1235 1235 /home/app\n",
                    Files.readString(out.resolve("image")),
                    user);
            assertEquals(
                    0,
                    isola("run", "--rm", "-v", volume(), "--user", "0", image, "sh", "-c", ids + "override"),
                    () -> lastErr);
            assertEquals("0 0 0 /root\n", Files.readString(out.resolve("override")), user);
            assertEquals(0, isola("image", "rm", image), () -> lastErr);
        }
        assertEquals(
                0,
                isola(
                        "image",
                        "import",
                        ImageArchives.dockerSaveWithUser(tmp.resolve("bad.tar"), "test/user:bad", "nobody-here")
                                .toString()),
                () -> lastErr);
        assertEquals(125, isola("run", "--rm", "test/user:bad", "true"));
        assertEquals(
                "isola: image test/user:bad: its User \"nobody-here\": no user \"nobody-here\" in the container's"
                        + " /etc/passwd (--user overrides it)\n",
                lastErr);
        assertEquals(0, isola("image", "rm", "test/user:bad"), () -> lastErr);
        assertNothingLeft();
    }

    @Test
    void aCommittedImageHasTheContainersWritesAndDeletions() throws Exception {
        assertEquals(
                0,
                isola(
                        "run",
                        "--name",
                        "maker",
                        IMAGE,
                        "sh",
                        "-c",
                        "echo written > /etc/written && rm /etc/lower && mkdir /made && echo in > /made/file"),
                () -> lastErr);
        assertEquals(1, count(store.resolve("containers")), "a container without --rm keeps its writable layer");

        assertEquals(1, isola("image", "rm", IMAGE), "an image removed under a container");
        assertTrue(lastErr.startsWith("isola: image \"" + IMAGE + "\" is used by container "), lastErr);
        assertEquals(0, isola("commit", "maker", "test/committed:2"), () -> lastErr);
        StringWriter images = new StringWriter();
        Main.execute(new String[] {"images"}, new PrintWriter(images, true), new PrintWriter(new StringWriter(), true));
        assertTrue(images.toString().contains("test/committed:2"), images::toString);
        assertEquals(0, isola("rm", "maker"), () -> lastErr);
        assertEquals(0, count(store.resolve("containers")), "rm removes the writable layer");

        // the parent goes: the layers the committed image shares with it stay
        assertEquals(0, isola("image", "rm", IMAGE), () -> lastErr);
        String check =
                "test \"$(cat /etc/written)\" = written && ! test -e /etc/lower && test \"$(cat /made/file)\" = in"
                        + " && test \"$(cat /etc/upper)\" = upper && ! test -e /etc/gone && echo ok > /out/committed";
        assertEquals(0, isola("run", "--rm", "-v", volume(), "test/committed:2", "sh", "-c", check), () -> lastErr);
        assertEquals("ok\n", Files.readString(out.resolve("committed")));
        // and it runs the parent's command by default
        assertEquals(0, isola("run", "--rm", "-v", volume(), "test/committed:2"), () -> lastErr);
        assertEquals("/etc\n1\n", Files.readString(out.resolve("default")));

        assertEquals(0, isola("image", "rm", "test/committed:2"), () -> lastErr);
        assertEquals(0, count(store.resolve("layers/sha256")), "every layer went with the last image using it");
        assertNothingLeft();
    }

    @Test
    void exportHoldsTheImagesFilesWithTheContainersChangesRunningOrStopped() throws Exception {
        assertEquals(
                0,
                isola("run", "--name", "stopped", IMAGE, "sh", "-c", "echo written > /etc/written && rm /etc/lower"),
                () -> lastErr);
        Path tar = tmp.resolve("stopped.tar");
        assertEquals(0, isola("export", "-o", tar.toString(), "stopped"), () -> lastErr);
        Map<String, String> files = entries(tar);
        assertEquals("written\n", files.get("etc/written"));
        assertEquals("upper\n", files.get("etc/upper"));
        assertEquals("new\n", files.get("dir/new"));
        assertEquals(Files.size(ImageArchives.BUSYBOX), (long)
                files.get("bin/busybox").length());
        for (String hidden : List.of("etc/lower", "etc/gone", "dir/old")) {
            assertFalse(files.containsKey(hidden), hidden + " is deleted or whited out, yet exported");
        }
        assertEquals(0, isola("rm", "stopped"), () -> lastErr);

        assertEquals(
                0,
                isola("run", "-d", "--name", "running", IMAGE, "sh", "-c", "echo live > /live; sleep 60"),
                () -> lastErr);
        Path live = null;
        for (int i = 0; i < 200 && live == null; i++) {
            try (Stream<Path> layers = Files.list(store.resolve("containers"))) {
                live = layers.map(l -> l.resolve("upper/live"))
                        .filter(Files::isRegularFile)
                        .findFirst()
                        .orElse(null);
            }
            Thread.sleep(50);
        }
        assertNotEquals(null, live, "the detached container never wrote /live");
        Path running = tmp.resolve("running.tar");
        assertEquals(0, isola("export", "--output", running.toString(), "running"), () -> lastErr);
        assertEquals("live\n", entries(running).get("live"));
        assertEquals(0, isola("rm", "-f", "running"), () -> lastErr);
        assertNothingLeft();
    }

    @Test
    void twentyRunsLeaveNoWritableLayerAndNoOverlayMount() throws Exception {
        for (int i = 0; i < 20; i++) {
            if (i % 2 == 0) {
                assertEquals(0, isola("run", "--rm", IMAGE, "sh", "-c", "echo " + i + " > /etc/n"), () -> lastErr);
            } else {
                assertEquals(
                        0,
                        isola("run", "--name", "kept" + i, IMAGE, "sh", "-c", "echo " + i + " > /etc/n"),
                        () -> lastErr);
                assertEquals(0, isola("rm", "kept" + i), () -> lastErr);
            }
        }
        assertNothingLeft();
    }

    @Test
    void theLayerOfAContainerWhoseCliWasKilledGoesWithTheNextCommand() throws Exception {
        List<String> args =
                List.of("--root", state.toString(), "run", "--rm", "--name", "orphan", IMAGE, "sleep", "1000");
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), args));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.root=" + store);
        Process cli = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        // running (past its gate): killed before, the host takes the child with it, by design
        long pid = 0;
        for (int i = 0; i < 600 && pid == 0; i++) {
            Thread.sleep(100);
            if (isola("inspect", "orphan") == 0 && lastOut.contains("\"running\"")) {
                pid = containerPid();
            }
        }
        assertNotEquals(0, pid, "the container never ran");

        cli.destroyForcibly().waitFor(); // SIGKILL: nothing of the CLI's cleanup runs
        assertEquals(0, isola("list"), () -> lastErr);
        assertEquals(1, count(store.resolve("containers")), "the layer of a container that still runs stays");
        long container = pid;
        ProcessHandle.of(container).ifPresent(ProcessHandle::destroyForcibly);
        for (int i = 0;
                i < 100
                        && ProcessHandle.of(container)
                                .map(ProcessHandle::isAlive)
                                .orElse(false);
                i++) {
            Thread.sleep(50);
        }

        assertEquals(0, isola("list"), () -> lastErr);
        assertNothingLeft();
        // it was --rm: the command that found it ended removed it, as its CLI would have
        assertNotEquals(0, isola("inspect", "orphan"));
        assertTrue(lastErr.contains("no such container"), lastErr);
    }

    @Test
    void badInputIsOneLineAndLeavesNothing() throws Exception {
        assertEquals(0, isola("run", "--name", "good", IMAGE, "true"), () -> lastErr);
        String[][] bad = {
            {"export", "-o", tmp.resolve("x.tar").toString(), "nosuch"},
            {"commit", "nosuch", "test/x:1"},
            {"commit", "good", "Bad:Name"},
            {"commit", "good", "test/x:bad tag"},
            {"commit", "good", "test/x:"},
            {"run", "--rm", "--pull", "never", "nosuch:1", "true"}, // never: tests reach no registry off this machine
            {"run", "--rm", "--pull", "never", "--image", "nosuch", "true"},
        };
        for (String[] args : bad) {
            int code = isola(args);
            assertEquals(Main.failureStatus(args[0]), code, () -> String.join(" ", args) + ": " + lastErr);
            assertEquals(1, lastErr.lines().count(), () -> String.join(" ", args) + ": " + lastErr);
            assertTrue(lastErr.startsWith("isola: "), lastErr);
        }
        assertTrue(lastErr.contains("image \"nosuch\": not in the store"), lastErr);
        assertFalse(Files.exists(tmp.resolve("x.tar")));
        assertEquals(0, isola("rm", "good"), () -> lastErr);

        // a container in the host's files (the sandbox) has no files of its own to export or commit
        assertEquals(0, isola("run", "-d", "--name", "sandboxed", "--", "sleep", "60"), () -> lastErr);
        assertEquals(1, isola("export", "-o", tmp.resolve("host.tar").toString(), "sandboxed"));
        assertTrue(lastErr.contains("has no root file system of its own"), lastErr);
        assertEquals(1, isola("commit", "sandboxed", "test/x:1"));
        assertTrue(lastErr.contains("was not started from an image"), lastErr);
        assertEquals(0, isola("rm", "-f", "sandboxed"), () -> lastErr);

        StringWriter images = new StringWriter();
        Main.execute(new String[] {"images"}, new PrintWriter(images, true), new PrintWriter(new StringWriter(), true));
        assertEquals(2, images.toString().lines().count(), "only the test's image: " + images);
        assertEquals(2, count(store.resolve("layers/sha256")), "a layer was added");
        assertEquals(1, count(store.resolve("blobs/sha256")), "a config was added");
        assertFalse(Files.exists(tmp.resolve("host.tar")));
        assertNothingLeft();
    }

    /** The pid of the container "orphan", once it runs; 0 before. */
    private long containerPid() throws Exception {
        Path layers = store.resolve("containers");
        if (!Files.isDirectory(layers)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(layers)) {
            for (Path layer : list.toList()) {
                List<String> owner = Files.isRegularFile(layer.resolve("owner"))
                        ? Files.readAllLines(layer.resolve("owner"))
                        : List.of();
                if (owner.size() > 1 && !owner.get(1).startsWith("0 ")) {
                    return Long.parseLong(owner.get(1).split(" ")[0]);
                }
            }
        }
        return 0;
    }

    /** No writable layer in the store, no overlay mount on the host for it, no scratch left. */
    private void assertNothingLeft() throws Exception {
        assertEquals(0, count(store.resolve("containers")), "writable layers left");
        assertEquals(0, count(store.resolve("tmp")), "scratch left");
        try (InputStream in = Files.newInputStream(Path.of("/proc/self/mountinfo"))) {
            String mounts = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertFalse(mounts.contains(store.toString()), "a mount of the store is left:\n" + mounts);
        }
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.count();
        }
    }

    /** Regular files and links of a tar by name (link entries map to "->target"). */
    private static Map<String, String> entries(Path tar) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                if (entry.isSymbolicLink()) {
                    files.put(entry.getName(), "->" + entry.getLinkName());
                } else if (entry.isFile()) {
                    files.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
                } else {
                    files.put(entry.getName(), null);
                }
            }
        }
        return files;
    }
}
