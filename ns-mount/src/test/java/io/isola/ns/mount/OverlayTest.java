package io.isola.ns.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.testing.Outcome;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An image's layers under a writable layer of the container's own: whiteouts honoured, layers unchanged. */
class OverlayTest {

    private static Isola isola;

    @TempDir
    Path tmp;

    private Path lower;
    private Path upper;

    @BeforeAll
    static void runtime() {
        isola = Containers.runtime();
    }

    @AfterAll
    static void close() {
        isola.close();
    }

    @BeforeEach
    void layers() throws Exception {
        lower = Busybox.rootfs(tmp.resolve("layers/lower"));
        Files.writeString(lower.resolve("etc/kept"), "kept\n");
        Files.writeString(lower.resolve("etc/deleted"), "deleted\n");
        Files.createDirectories(lower.resolve("opaque"));
        Files.writeString(lower.resolve("opaque/old"), "old\n");
        upper = Files.createDirectories(tmp.resolve("layers/upper"));
        Files.createDirectories(upper.resolve("etc"));
        Files.createFile(upper.resolve("etc/deleted"));
        xattr(upper.resolve("etc/deleted"), "overlay.whiteout", "");
        xattr(upper.resolve("etc"), "overlay.opaque", "x"); // "may hold xattr whiteouts"
        Files.createDirectories(upper.resolve("opaque"));
        Files.writeString(upper.resolve("opaque/new"), "new\n");
        xattr(upper.resolve("opaque"), "overlay.opaque", "y");
    }

    private Filesystem image(boolean readOnly) {
        return Filesystem.builder()
                .layers(
                        List.of(upper.toString(), lower.toString()),
                        tmp.resolve("containers/c1").toString())
                .readOnly(readOnly)
                .build();
    }

    @Test
    void whiteoutsHideLowerFilesAndWritesGoToTheContainersLayer() throws Exception {
        String before = digest(tmp.resolve("layers"));

        Outcome outcome = Containers.sh(
                isola,
                image(false),
                "cat /etc/kept; ls /etc; ls /opaque; echo w > /etc/kept;"
                        + " echo n > /written; rm /opaque/new; cat /etc/kept");

        assertEquals("kept\nkept\nnew\nw\n", outcome.out(), outcome.err());
        assertEquals(before, digest(tmp.resolve("layers")), "a layer changed");
        assertFalse(Files.exists(tmp.resolve("containers/c1")), "the container's writable layer was left behind");
    }

    @Test
    void aLayerKeptWhileItsKeeperExistsOutlivesTheContainerWithItsOwnersAndDeletions() throws Exception {
        Path keeper = Files.createDirectory(tmp.resolve("state"));
        Filesystem kept = image(false).toBuilder()
                .keepWritableLayerWhile(keeper.toString())
                .build();

        Outcome outcome = Containers.sh(isola, kept, "echo w > /written; rm /etc/kept");

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        Path layer = tmp.resolve("containers/c1");
        assertEquals("w\n", Files.readString(layer.resolve("upper/written")));
        // overlayfs records the deletion as a 0/0 character device, which commit turns into .wh.kept
        assertEquals(
                0L,
                Files.getAttribute(
                        layer.resolve("upper/etc/kept"), "unix:rdev", java.nio.file.LinkOption.NOFOLLOW_LINKS));
        List<String> owner = Files.readAllLines(layer.resolve("owner"));
        assertEquals(
                ProcessHandle.current().pid() + " " + ProcessIdentity.self().startTime(), owner.get(0));
        assertFalse(owner.get(1).startsWith("0 "), "the container's process is recorded: " + owner);
        assertEquals(keeper.toString(), owner.get(2));

        // once the keeper is gone (the state removed: a start that failed), release removes the layer
        Files.delete(keeper);
        Files.walk(layer)
                .sorted(java.util.Comparator.reverseOrder())
                .forEach(p -> p.toFile().delete());
        outcome = Containers.sh(isola, kept, "echo again > /written");
        assertEquals(0, outcome.status().exitCode(), outcome.err());
        assertFalse(Files.exists(layer), "a layer whose keeper is gone was kept");
    }

    @Test
    void aReadOnlyImageRefusesWrites() throws Exception {
        Outcome outcome = Containers.sh(isola, image(true), "touch /x 2>&1; (echo t > /tmp/x) 2>&1");

        assertEquals(
                "touch: /x: Read-only file system\n/bin/sh: can't create /tmp/x: Read-only file system\n",
                outcome.out());
        assertFalse(Files.exists(tmp.resolve("containers/c1")));
    }

    @Test
    void aMissingLayerIsRefusedAndNothingIsCreated() {
        Set<String> mounts;
        try {
            mounts = HostMounts.snapshot();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Filesystem missing = Filesystem.builder()
                .layers(List.of(tmp + "/nope"), tmp + "/containers/c2")
                .build();

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(io.isola.api.ContainerSpec.builder("/bin/true")
                        .with(missing)
                        .build()));

        assertEquals("image layer \"" + tmp + "/nope\": no such directory", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("containers")));
        try {
            assertEquals(List.of(), HostMounts.added(mounts, HostMounts.snapshot()));
        } catch (Exception io) {
            throw new AssertionError(io);
        }
    }

    static void xattr(Path path, String name, String value) throws Exception {
        Files.getFileAttributeView(path, UserDefinedFileAttributeView.class)
                .write(name, ByteBuffer.wrap(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** A digest of every path, link target and file content below {@code root}. */
    static String digest(Path root) throws Exception {
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
