package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's volumes as its users type them, through the CLI on the real kernel: {@code -v
 * NAME:/dir}, {@code --mount type=volume}, anonymous volumes ({@code -v /dir}, an image's {@code
 * VOLUME}), Docker's copy-up of the image's content into a new volume (links copied, never
 * followed), data kept across containers, {@code volume create|ls|inspect|rm|prune}, removal
 * refused while a container uses a volume, and anonymous volumes gone with {@code run --rm} and
 * {@code rm -v}. The image (busybox-static, {@code VOLUME /data /cache}) is local.
 */
class VolumeIT {

    private static final String IMAGE = "test/volume:1";

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
        Path archive = ImageArchives.dockerSaveWithVolume(tmp.resolve("image.tar"), IMAGE);
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

    private String ok(String... args) {
        assertEquals(0, isola(args), () -> String.join(" ", args) + ": " + lastErr);
        return lastOut;
    }

    private String results() {
        return out + ":/out";
    }

    @Test
    void aNamedVolumeIsSeededFromTheImageAndKeepsItsDataAcrossContainers() throws Exception {
        ok(
                "run",
                "--rm",
                "-v",
                results(),
                "-v",
                "data:/data",
                IMAGE,
                "sh",
                "-c",
                "cat /data/seed /data/sub/file /data/escape > /out/first; echo kept > /data/written");
        assertEquals(
                "seed\ndeep\nlower\n",
                Files.readString(out.resolve("first")),
                "the image's /data, its link resolved inside the container");

        Path data =
                Path.of(ok("volume", "inspect", "-f", "{{.Mountpoint}}", "data").strip());
        assertEquals(store.resolve("volumes/data/_data"), data);
        assertEquals("kept\n", Files.readString(data.resolve("written")));
        assertEquals(
                Path.of("/etc/lower"),
                Files.readSymbolicLink(data.resolve("escape")),
                "copied as a link, not followed");
        assertEquals(Path.of("../etc"), Files.readSymbolicLink(data.resolve("up")));
        assertEquals("rwx------", mode(store.resolve("volumes")));
        assertEquals("rwx------", mode(store.resolve("volumes/data")));

        // a second container sees the first one's data; the volume is not seeded again
        Files.delete(data.resolve("seed"));
        ok(
                "run",
                "--rm",
                "-v",
                results(),
                "--mount",
                "type=volume,src=data,dst=/data,readonly",
                IMAGE,
                "sh",
                "-c",
                "cat /data/written > /out/second; test -e /data/seed || echo unseeded >> /out/second;"
                        + " echo x > /data/no 2>/dev/null || echo read-only >> /out/second");
        assertEquals("kept\nunseeded\nread-only\n", Files.readString(out.resolve("second")));

        assertEquals("DRIVER    VOLUME NAME\nlocal     data\n", ok("volume", "ls"));
        String inspected = ok("volume", "inspect", "data");
        assertTrue(
                inspected.contains("\"Driver\" : \"local\"")
                        && inspected.contains("\"Name\" : \"data\"")
                        && inspected.contains("\"Scope\" : \"local\"")
                        && inspected.startsWith("["),
                inspected);
        assertEquals("data\n", ok("volume", "rm", "data"));
        assertFalse(Files.exists(store.resolve("volumes/data"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("", ok("volume", "ls", "-q"));
        assertNothingLeft();
    }

    @Test
    void aNamedVolumeIsSeededFromARootfsDirectory() throws Exception {
        Path rootfs = tmp.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("data/sub"));
        Files.copy(ImageArchives.BUSYBOX, rootfs.resolve("bin/busybox"));
        Files.writeString(rootfs.resolve("data/sub/seed"), "from the rootfs\n");
        Files.createSymbolicLink(rootfs.resolve("data/escape"), tmp);

        ok(
                "run",
                "--rm",
                "--rootfs",
                rootfs.toString(),
                "-v",
                results(),
                "-v",
                "rootdata:/data",
                "/bin/busybox",
                "sh",
                "-c",
                "/bin/busybox cat /data/sub/seed > /out/rootfs");
        assertEquals("from the rootfs\n", Files.readString(out.resolve("rootfs")));
        Path data = store.resolve("volumes/rootdata/_data");
        assertEquals(tmp, Files.readSymbolicLink(data.resolve("escape")), "copied as a link, not followed");
        assertEquals("rootdata\n", ok("volume", "rm", "rootdata"));
        assertNothingLeft();
    }

    @Test
    void aVolumeInUseIsNotRemovedUntilItsContainerIs() throws Exception {
        assertEquals("made\n", ok("volume", "create", "--label", "team=qa", "made"));
        ok("run", "--name", "user", "-v", "made:/data", IMAGE, "sh", "-c", "echo mine > /data/file");
        assertEquals(
                "seed\n",
                Files.readString(store.resolve("volumes/made/_data/seed")),
                "an empty volume gets the image's content");

        assertTrue(
                ok("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}};{{end}}", "user")
                        .matches("volume made /data true;volume [0-9a-f]{64} /cache true;\n"),
                lastOut);

        assertEquals("user\n", ok("ps", "-a", "--filter", "volume=made", "--format", "{{.Names}}"));
        assertEquals("user\n", ok("ps", "-a", "--filter", "volume=/cache", "--format", "{{.Names}}"));
        assertEquals("", ok("ps", "-a", "--filter", "volume=other", "--format", "{{.Names}}"));

        assertEquals(1, isola("volume", "rm", "made"));
        assertTrue(
                lastErr.startsWith("isola: volume \"made\" is in use by container ") && lastErr.contains("(user)"),
                lastErr);
        assertEquals(1, isola("volume", "rm", "-f", "made"), "-f does not remove a volume in use, as Docker's");
        assertEquals("mine\n", Files.readString(store.resolve("volumes/made/_data/file")));
        assertEquals("made\n", ok("volume", "ls", "-q", "--filter", "dangling=false", "--filter", "label=team=qa"));
        assertEquals("", ok("volume", "ls", "-q", "--filter", "dangling=true"));
        assertTrue(
                ok("volume", "prune", "-f", "-a").endsWith("Total reclaimed space: 0B\n"),
                "prune keeps a volume in use");

        ok("rm", "-v", "user"); // -v takes anonymous volumes only: the named one stays
        assertEquals("mine\n", Files.readString(store.resolve("volumes/made/_data/file")));
        assertEquals("made\n", ok("volume", "ls", "-q", "--filter", "dangling=true", "--filter", "name=ad"));
        assertEquals("made\n", ok("volume", "rm", "made"));
        assertEquals(1, isola("volume", "rm", "made"));
        assertEquals("isola: volume \"made\": no such volume (see 'isola volume ls')\n", lastErr);
        ok("volume", "rm", "-f", "made");
        assertNothingLeft();
    }

    @Test
    void anonymousVolumesGoWithTheirContainerOnlyWithRmOrRmV() throws Exception {
        // the image's VOLUME /data and /cache, and -v /scratch: three anonymous volumes, /data seeded
        ok(
                "run",
                "--rm",
                "-v",
                results(),
                "-v",
                "/scratch",
                IMAGE,
                "sh",
                "-c",
                "cat /data/seed > /out/anon; test -d /cache && test -d /scratch && echo dirs >> /out/anon;"
                        + " busybox grep -c -e ' /data ' -e ' /cache ' -e ' /scratch ' /proc/self/mountinfo >> /out/anon");
        assertEquals("seed\ndirs\n3\n", Files.readString(out.resolve("anon")));
        assertEquals("", ok("volume", "ls", "-q"), "run --rm removes its anonymous volumes");

        ok("run", "--name", "kept", IMAGE, "true");
        List<String> anonymous = List.of(ok("volume", "ls", "-q").split("\n"));
        assertEquals(2, anonymous.size(), anonymous::toString);
        assertTrue(anonymous.stream().allMatch(n -> n.matches("[0-9a-f]{64}")), anonymous::toString);
        ok("rm", "-v", "kept");
        assertEquals("", ok("volume", "ls", "-q"), "rm -v removes them");

        // detached with --rm: its monitor removes them once the container is gone
        String id = ok("run", "-d", "--rm", IMAGE, "sh", "-c", "test -d /data").strip();
        isola("wait", id); // 1 when the container was removed before wait read its status: either way, it ended
        for (int i = 0; i < 100 && !ok("volume", "ls", "-q").isEmpty(); i++) {
            Thread.sleep(100); // the monitor removes the volumes after the container's state
        }
        assertEquals("", ok("volume", "ls", "-q"), "run -d --rm removes its anonymous volumes");

        // a user's mount on the image's VOLUME path replaces the anonymous volume, as Docker's
        ok("run", "--name", "dangling", "-v", "named:/data", IMAGE, "true");
        assertEquals(2, ok("volume", "ls", "-q").split("\n").length, "named, and the anonymous one of /cache");
        ok("rm", "dangling");
        String pruned = ok("volume", "prune", "-f");
        assertTrue(pruned.startsWith("Deleted Volumes:\n") && pruned.endsWith("Total reclaimed space: 0B\n"), pruned);
        assertEquals("named\n", ok("volume", "ls", "-q"), "prune takes only anonymous volumes without -a");
        assertTrue(ok("volume", "prune", "-f", "--all").contains("named\n"));
        assertEquals("", ok("volume", "ls", "-q"));
        assertNothingLeft();
    }

    @Test
    void badVolumesAreRefusedNamingThemAndLeaveNothing() throws Exception {
        assertEquals(125, isola("run", "--rm", "-v", "a:/data", IMAGE, "true"));
        assertEquals(
                "isola: volume \"a:/data\": volume name \"a\": expected 2 to 255 letters, digits and _ . -,"
                        + " starting with a letter or digit\n",
                lastErr);
        assertEquals(125, isola("run", "--rm", "-v", "data:relative", IMAGE, "true"));
        assertTrue(lastErr.contains("volume target \"relative\": expected an absolute path below /"), lastErr);
        assertEquals(125, isola("run", "--rm", "-v", "data:/data:rx", IMAGE, "true"));
        assertTrue(lastErr.contains("option \"rx\" is not known, expected ro, rw or nocopy"), lastErr);
        assertEquals(125, isola("run", "--rm", "--mount", "type=volume,src=/srv,dst=/data", IMAGE, "true"));
        assertTrue(lastErr.contains("a volume's source is its name; use type=bind for a host path"), lastErr);
        assertEquals(
                125,
                isola("run", "--rm", "--mount", "type=volume,src=data,dst=/data,volume-opt=type=nfs", IMAGE, "true"));
        assertTrue(lastErr.contains("volume-opt is not supported by isola"), lastErr);
        assertEquals(1, isola("volume", "create", "-o", "type=tmpfs", "x1"));
        assertEquals(1, isola("volume", "create", "bad/name"));
        assertEquals(1, isola("volume", "inspect", "missing"));
        // a run refused after its options are read (no such user) makes no volume
        assertEquals(125, isola("run", "--rm", "-v", "data:/data", "--user", "nobody-here", IMAGE, "true"));
        assertEquals("", ok("volume", "ls", "-q"));
        // nor one that fails to start once registered (no such command): the volumes made for it go, one made before
        // stays
        ok("volume", "create", "before");
        assertEquals(127, isola("run", "-v", "data:/data", "-v", "before:/before", IMAGE, "nosuch-command"));
        assertEquals("before\n", ok("volume", "ls", "-q"), lastErr);
        ok("volume", "rm", "before");
        assertNothingLeft();
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private void assertNothingLeft() throws Exception {
        try (var list = Files.list(store.resolve("containers"))) {
            assertEquals(0, list.count(), "writable layers left");
        }
        if (Files.isDirectory(store.resolve("volumes"))) {
            try (var list = Files.list(store.resolve("volumes"))) {
                assertEquals(
                        List.of(".lock"),
                        list.map(p -> p.getFileName().toString()).toList(),
                        "volumes or scratch left");
            }
        }
        try (InputStream in = Files.newInputStream(Path.of("/proc/self/mountinfo"))) {
            String mounts = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertFalse(mounts.contains(store.toString()), "a mount of the store is left:\n" + mounts);
        }
        assertEquals("", ok("ps", "-a", "-q"));
    }
}
