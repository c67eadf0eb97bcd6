package io.isola.internal.nativ;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree that somebody else controls, changed between isola's look and its use as a running
 * container would change its writable layer: what isola opened stays what it acts on, and no
 * link leads it to the "host" directory beside the tree.
 */
class DirectoryFdTest {

    @TempDir
    Path tmp;

    private Path tree;
    private Path host;

    @BeforeEach
    void trees() throws IOException {
        tree = Files.createDirectories(tmp.resolve("tree"));
        host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("shadow"), "host secret");
    }

    @Test
    void aPathThroughALinkIsRefusedAndALinkIsNeverCreatedThrough() throws IOException {
        Files.createSymbolicLink(tree.resolve("a"), host);
        try (DirectoryFd dir = DirectoryFd.open(tree)) {
            // O_NOFOLLOW | O_DIRECTORY on a link: ENOTDIR; openat2's RESOLVE_NO_SYMLINKS on the way: ELOOP
            assertTrue(List.of(Errno.ELOOP, Errno.ENOTDIR)
                    .contains(assertThrows(FileCallException.class, () -> dir.directory("a"))
                            .errno()));
            assertTrue(List.of(Errno.ELOOP, Errno.ENOTDIR)
                    .contains(assertThrows(FileCallException.class, () -> dir.directory("a/b"))
                            .errno()));
            assertTrue(List.of(Errno.ELOOP, Errno.ENOTDIR)
                    .contains(assertThrows(FileCallException.class, () -> dir.directories("a/b"))
                            .errno()));
            assertThrows(IllegalArgumentException.class, () -> dir.directory("../host"));
            assertThrows(IllegalArgumentException.class, () -> dir.directory("/etc"));
            assertTrue(dir.stat("a").orElseThrow().isSymbolicLink());
            assertEquals(host.toString(), dir.readLink("a"));
        }
        assertEquals(List.of(host.resolve("shadow")), list(host));
    }

    /** A container's own links resolve as inside its root: absolute ones and ".." stop at the tree, never at the host. */
    @Test
    void inRootFollowsLinksButNeverAboveTheRoot() throws IOException {
        Files.createDirectories(tree.resolve("etc/sub"));
        Files.createSymbolicLink(tree.resolve("abs"), host);
        Files.createSymbolicLink(tree.resolve("up"), Path.of("../../../../../../.." + host));
        Files.createSymbolicLink(tree.resolve("root"), Path.of("/"));
        Files.createSymbolicLink(tree.resolve("etc-link"), Path.of("/etc"));
        Files.createSymbolicLink(tree.resolve("self"), Path.of("/proc/self/root" + host));
        try (DirectoryFd dir = DirectoryFd.open(tree)) {
            for (String escape : List.of("abs", "up", "root" + host, "/../.." + host)) {
                assertEquals(
                        Errno.ENOENT,
                        assertThrows(FileCallException.class, () -> dir.inRoot(escape))
                                .errno(),
                        escape);
            }
            // the tree's own /proc (none here), never the host's; a magic link there would be refused (ELOOP)
            assertTrue(List.of(Errno.ENOENT, Errno.ELOOP)
                    .contains(assertThrows(FileCallException.class, () -> dir.inRoot("self"))
                            .errno()));
            try (DirectoryFd etc = dir.inRoot("/etc-link/sub/..")) {
                assertTrue(etc.stat("sub").isPresent(), "the link to /etc is the tree's /etc");
            }
            try (DirectoryFd top = dir.inRoot("root")) {
                assertTrue(top.stat("etc-link").isPresent(), "/ is the tree's root");
            }
        }
    }

    /** Kernels before 5.6 have no openat2: the walk, one O_NOFOLLOW component at a time, refuses the same. */
    @Test
    void withoutOpenat2TheWalkRefusesLinksAndLeavingToo() throws IOException {
        boolean had = DirectoryFd.openat2;
        DirectoryFd.openat2 = false;
        try {
            Files.createDirectories(tree.resolve("real/sub"));
            aPathThroughALinkIsRefusedAndALinkIsNeverCreatedThrough();
            try (DirectoryFd dir = DirectoryFd.open(tree);
                    DirectoryFd sub = dir.directory("real/sub")) {
                assertTrue(sub.stat().isDirectory());
            }
        } finally {
            DirectoryFd.openat2 = had;
        }
    }

    @Test
    void aDirectorySwappedForALinkAfterItWasOpenedIsStillTheOneActedOn() throws IOException {
        Files.createDirectories(tree.resolve("d"));
        try (DirectoryFd root = DirectoryFd.open(tree);
                DirectoryFd d = root.directory("d")) {
            Files.move(tree.resolve("d"), tree.resolve("moved"));
            Files.createSymbolicLink(tree.resolve("d"), host);

            int fd = d.createFile("new", 0644);
            Fds.closeQuietly(fd);
            FileAttributes.chmod(d.fd(), 0777);
        }
        assertTrue(Files.exists(tree.resolve("moved/new")));
        assertEquals(List.of(host.resolve("shadow")), list(host));
        assertEquals(
                "rwxr-xr-x",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(host)));
    }

    @Test
    void aFileSwappedForALinkToAHostFileIsNotRead() throws IOException {
        Files.writeString(tree.resolve("f"), "mine");
        try (DirectoryFd root = DirectoryFd.open(tree)) {
            FileStat listed = root.stat("f").orElseThrow();
            Files.delete(tree.resolve("f"));
            Files.createSymbolicLink(tree.resolve("f"), host.resolve("shadow"));

            IOException refused = assertThrows(
                    IOException.class, () -> root.readFile("f", listed).close());
            assertTrue(refused.getMessage().contains("no longer the same regular file"), refused.getMessage());

            Files.delete(tree.resolve("f"));
            Files.writeString(tree.resolve("f"), "mine");
            try (InputStream in = root.readFile("f", null)) {
                assertEquals("mine", new String(in.readAllBytes(), UTF_8));
            }
        }
    }

    @Test
    void removingATreeRemovesItsLinksNotWhatTheyPointTo() throws IOException {
        Path victim = tree.resolve("victim");
        Files.createDirectories(victim.resolve("sub"));
        Files.createSymbolicLink(victim.resolve("host"), host);
        Files.createSymbolicLink(victim.resolve("sub/shadow"), host.resolve("shadow"));
        Files.writeString(victim.resolve("sub/file"), "x");
        Files.setPosixFilePermissions(
                victim.resolve("sub"), java.util.Set.of()); // mode 0, as overlayfs leaves work/work

        try (DirectoryFd root = DirectoryFd.open(tree)) {
            root.remove("victim");
            root.remove("absent");
        }

        assertFalse(Files.exists(tree.resolve("victim"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of(host.resolve("shadow")), list(host));
        assertEquals("host secret", Files.readString(host.resolve("shadow")));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (var stream = Files.list(dir)) {
            return stream.sorted().toList();
        }
    }
}
