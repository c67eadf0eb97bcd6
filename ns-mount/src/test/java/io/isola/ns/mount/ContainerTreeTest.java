package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution of mount targets inside the container, as securejoin does; no container is started. */
class ContainerTreeTest {

    @TempDir
    Path root;

    private ContainerTree tree;

    @BeforeEach
    void tree() throws Exception {
        Files.createDirectories(root.resolve("etc/sub"));
        Files.writeString(root.resolve("etc/file"), "x");
        tree = new ContainerTree(Backing.host(root));
    }

    @Test
    void existingAndMissingComponentsAreCounted() {
        ContainerTree.Resolved resolved = tree.resolve("target", "/etc//./sub/new/deeper");

        assertEquals("/etc/sub/new/deeper", resolved.containerPath());
        assertEquals(2, resolved.existing());
        assertEquals(Entry.MISSING, resolved.last());
    }

    @Test
    void dotDotStopsAtTheRoot() {
        assertEquals(
                "/etc/x",
                tree.resolve("target", "/../../../etc/sub/../../etc/x").containerPath());
    }

    @Test
    void absoluteLinksStartAgainAtTheContainersRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc/sub"));
        Files.createSymbolicLink(root.resolve("host"), Path.of("/usr/lib"));

        assertEquals("/etc/sub/x", tree.resolve("target", "/abs/x").containerPath());
        assertEquals("/usr/lib/x", tree.resolve("target", "/host/x").containerPath());
    }

    @Test
    void relativeLinksCannotClimbOutOfTheRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("etc/up"), Path.of("../../../../../../srv"));

        ContainerTree.Resolved resolved = tree.resolve("target", "/etc/up/x");

        assertEquals("/srv/x", resolved.containerPath());
        assertEquals(0, resolved.existing());
    }

    @Test
    void linksInsideAMountResolveInTheContainerNotInTheMountsSource() throws Exception {
        Path volume = Files.createDirectories(root.resolveSibling(root.getFileName() + "-volume"));
        try {
            Files.createSymbolicLink(volume.resolve("link"), Path.of("/etc"));
            tree.mount("/etc/sub", Backing.host(volume));

            ContainerTree.Resolved resolved = tree.resolve("target", "/etc/sub/link/file");

            assertEquals("/etc/file", resolved.containerPath());
            assertEquals(Entry.FILE, resolved.last());
        } finally {
            Files.delete(volume.resolve("link"));
            Files.delete(volume);
        }
    }

    @Test
    void aLaterMountHidesWhatWasBelowIt() {
        tree.mount("/etc", Backing.empty());

        assertEquals(1, tree.resolve("target", "/etc/sub").existing());
    }

    @Test
    void loopsAndPathsBelowFilesAreRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("a"));

        assertEquals(
                "volume target \"/a/x\": too many symbolic links",
                assertThrows(IllegalArgumentException.class, () -> tree.resolve("volume target", "/a/x"))
                        .getMessage());
        assertEquals(
                "volume target \"/etc/file/x\": /etc/file in the container is not a directory",
                assertThrows(IllegalArgumentException.class, () -> tree.resolve("volume target", "/etc/file/x"))
                        .getMessage());
    }
}
