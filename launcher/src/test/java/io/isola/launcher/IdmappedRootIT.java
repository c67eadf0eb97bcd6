package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files owned by host root keep their owners inside a user namespace through the CLI: an image's
 * layers and a --rootfs get idmapped mounts in the container's mount namespace, so busybox is
 * root's and root inside can create and chown; the layers stay as they were, the writable layer
 * holds the mapped host ids, and the host's mount table never sees an idmapped mount.
 */
class IdmappedRootIT {

    private static final long BASE = 3000000;
    private static final String MAP = "0:" + BASE + ":65536";

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void store() throws IOException {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        // the container's root (a mapped uid) must reach the layers through the test's directory
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
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
    void anImagesLayersShowHostRootAsRootAndStayUnchanged() throws Exception {
        assertEquals(
                0,
                isola(
                        "image",
                        "import",
                        ImageArchives.dockerSave(tmp.resolve("bb.tar"), "test/bb:1", false)
                                .toString()),
                err::toString);
        Path layers = tmp.resolve("store/layers");
        String before = tree(layers);
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        String script = "bb=/bin/busybox; exec > /shared/out; $bb id -u; $bb stat -c '%u %g' / /bin/busybox /etc/lower;"
                + " touch /new && $bb chown 33:33 /new && echo changed > /etc/lower && $bb mkdir /dir/made;"
                + " $bb stat -c '%u %g' /new /dir/made; touch /shared/ready;"
                + " i=0; while [ ! -e /shared/go ] && [ $i -lt 600 ]; do $bb sleep 0.1; i=$((i+1)); done";
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> isola(
                "run",
                "--rm",
                "--uidmap",
                MAP,
                "-v",
                shared + ":/shared",
                "--image",
                "test/bb:1",
                "--",
                "/bin/sh",
                "-c",
                script));
        awaitFile(shared.resolve("ready"), run);

        Path upper = onlyWritableLayer().resolve("upper");
        assertEquals(
                List.of(BASE, BASE + 33, BASE, BASE),
                List.of(
                        uid(upper),
                        uid(upper.resolve("new")),
                        uid(upper.resolve("etc/lower")),
                        uid(upper.resolve("dir/made"))),
                "owners in the writable layer");
        assertEquals(BASE + 33, gid(upper.resolve("new")));
        // the layer's own directory stays host root's, passable by the mapped root's group only (Docker's 0710
        // root:GID)
        assertEquals(
                List.of(0L, BASE, 0710),
                List.of(
                        uid(upper.getParent()),
                        gid(upper.getParent()),
                        (Integer) Files.getAttribute(upper.getParent(), "unix:mode") & 07777),
                "the writable layer's directory");
        assertFalse(idmappedOnHost(), "an idmapped mount is in the host's mount table");
        Files.createFile(shared.resolve("go"));

        assertEquals(0, run.get(60, TimeUnit.SECONDS), err::toString);
        assertEquals(
                List.of("0", "0 0", "0 0", "0 0", "33 33", "0 0"),
                Files.readAllLines(shared.resolve("out")),
                err::toString);
        assertEquals(before, tree(layers), "a layer changed (content, owner or mode)");
        assertFalse(idmappedOnHost() || mountedUnder(tmp), "a mount was left on the host");
        try (Stream<Path> left = Files.list(tmp.resolve("store/containers"))) {
            assertEquals(0, left.count(), "the writable layer was left behind");
        }
    }

    @Test
    void aRootfsOfHostRootShowsRootInsideAndKeepsItsOwners() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(ImageArchives.BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "id", "stat", "touch", "chown", "ls")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("file"), "from the host\n");
        for (String mountPoint : List.of("proc", "dev", "sys", "shared")) {
            Files.createDirectory(rootfs.resolve(mountPoint)); // else the container would make them
        }
        String before = tree(rootfs);
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertEquals(
                0,
                isola(
                        "run",
                        "--uidmap",
                        MAP,
                        "--rootfs",
                        rootfs.toString(),
                        "-v",
                        shared + ":/shared",
                        "--",
                        "sh",
                        "-c",
                        "exec > /shared/out; id -u; stat -c '%u %g' / /bin/busybox /file; echo more >> /file; touch /new; chown 33:33 /new;"
                                + " stat -c '%u %g' /new; ls -ln /bin/busybox"),
                err::toString);

        List<String> lines = Files.readAllLines(shared.resolve("out"));
        assertEquals(List.of("0", "0 0", "0 0", "0 0", "33 33"), lines.subList(0, 5), err::toString);
        assertTrue(lines.get(5).matches("-rwx.* 1 0 +0 .*/bin/busybox"), lines.get(5));
        // through the idmapped mount the directory keeps the image's ids: container root writes as uid 0 there
        assertEquals(List.of(0L, 33L), List.of(uid(rootfs.resolve("file")), uid(rootfs.resolve("new"))));
        Files.delete(rootfs.resolve("new"));
        Files.writeString(rootfs.resolve("file"), "from the host\n");
        assertEquals(before, tree(rootfs), "the root file system's owners or modes changed");
        assertFalse(idmappedOnHost() || mountedUnder(tmp), "a mount was left on the host");
    }

    /** An image may list one layer twice (empty layers): it is idmapped once, and works. */
    @Test
    void aLayerListedTwiceIsIdmappedOnce() throws Exception {
        assertEquals(
                0,
                isola(
                        "image",
                        "import",
                        ImageArchives.dockerSaveRepeatingALayer(tmp.resolve("bb.tar"), "test/twice:1")
                                .toString()),
                err::toString);
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals(
                0,
                isola(
                        "run",
                        "--rm",
                        "--uidmap",
                        MAP,
                        "-v",
                        shared + ":/shared",
                        "--image",
                        "test/twice:1",
                        "--",
                        "/bin/sh",
                        "-c",
                        "/bin/busybox stat -c '%u %g' /bin/busybox > /shared/out"),
                err::toString);
        assertEquals(List.of("0 0"), Files.readAllLines(shared.resolve("out")));
    }

    /** ramfs cannot be idmapped: the start is refused in one line naming the directory and the fix, and nothing stays. */
    @Test
    void aFileSystemThatCannotBeIdmappedIsRefusedInOneLine() throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("ramfs"));
        assertEquals(
                0,
                new ProcessBuilder("mount", "-t", "ramfs", "none", rootfs.toString())
                        .inheritIO()
                        .start()
                        .waitFor());
        try {
            Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(ImageArchives.BUSYBOX, rootfs.resolve("bin/busybox"));
            assertEquals(
                    125,
                    isola(
                            "--root",
                            tmp.resolve("state").toString(),
                            "run",
                            "--uidmap",
                            MAP,
                            "--rootfs",
                            rootfs.toString(),
                            "--",
                            "/bin/busybox",
                            "true"));
            assertEquals(1, err.toString().lines().count(), err::toString);
            assertTrue(
                    err.toString()
                            .contains("root file system " + rootfs + " belongs to host uid 0, which the user namespace "
                                    + "does not map, and cannot be idmapped (mount_setattr(MOUNT_ATTR_IDMAP) on "
                                    + rootfs + " failed: EINVAL"),
                    err::toString);
            assertTrue(
                    err.toString().contains("the ramfs file system or this kernel")
                            && err.toString()
                                    .contains(
                                            "give the container a copy owned by the mapped range (chown -R 3000000:3000000 on a copy)"),
                    err::toString);
            assertFalse(idmappedOnHost(), "an idmapped mount is in the host's mount table");
        } finally {
            new ProcessBuilder("umount", rootfs.toString()).inheritIO().start().waitFor();
        }
        assertFalse(mountedUnder(tmp), "a mount was left on the host");
    }

    private Path onlyWritableLayer() throws IOException {
        try (Stream<Path> layers = Files.list(tmp.resolve("store/containers"))) {
            List<Path> all = layers.toList();
            assertEquals(1, all.size(), all::toString);
            return all.get(0);
        }
    }

    private void awaitFile(Path file, CompletableFuture<Integer> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file)) {
            if (run.isDone()) {
                throw new AssertionError("the container ended early (" + run.get() + "): " + err + out);
            }
            assertTrue(System.nanoTime() < deadline, "the container did not get ready in 60 s: " + err);
            Thread.sleep(50);
        }
    }

    /** Every entry's path, type, mode, owner and content digest, in order. */
    private static String tree(Path root) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted().toList()) {
                int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                all.append(root.relativize(path))
                        .append(' ')
                        .append(Integer.toOctalString(mode))
                        .append(' ')
                        .append(uid(path))
                        .append(':')
                        .append(gid(path));
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    all.append(' ')
                            .append(HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path))));
                } else if (Files.isSymbolicLink(path)) {
                    all.append(" -> ").append(Files.readSymbolicLink(path));
                }
                all.append(' ')
                        .append(Files.size(path))
                        .append(' ')
                        .append(path.getFileName())
                        .append('\n');
            }
        }
        return all.toString();
    }

    private static long uid(Path path) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    private static long gid(Path path) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS));
    }

    /** Whether the host's mount table has an idmapped mount (the kernel shows the option "idmapped"). */
    private static boolean idmappedOnHost() throws IOException {
        return mountinfo().lines().anyMatch(line -> line.matches(".*[ ,]idmapped([ ,].*|$)"));
    }

    private static boolean mountedUnder(Path dir) throws IOException {
        return mountinfo().lines().anyMatch(line -> line.split(" ")[4].startsWith(dir.toString()));
    }

    private static String mountinfo() throws IOException {
        // procfs files can short-read with Files.readString on this JDK
        try (InputStream in = Files.newInputStream(Path.of("/proc/self/mountinfo"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
