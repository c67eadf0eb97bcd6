package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merged view (export) and the changes as an OCI layer (commit), read from layer directories; and image names. */
class ContainerFilesTest {

    @TempDir
    Path tmp;

    private Path upper;
    private Path lower;

    @BeforeEach
    void layers() throws Exception {
        lower = Files.createDirectories(tmp.resolve("lower"));
        Files.writeString(lower.resolve("b"), "b");
        Files.writeString(lower.resolve("c"), "c");
        Files.createDirectories(lower.resolve("d"));
        Files.writeString(lower.resolve("d/old"), "old");
        Files.createDirectories(lower.resolve("e"));
        Files.writeString(lower.resolve("e/kept"), "kept");
        upper = Files.createDirectories(tmp.resolve("upper"));
        Files.writeString(upper.resolve("a"), "a");
        Files.createFile(upper.resolve("b"));
        xattr(upper.resolve("b"), "overlay.whiteout", "");
        Files.createDirectories(upper.resolve("d"));
        xattr(upper.resolve("d"), "overlay.opaque", "y");
        Files.writeString(upper.resolve("d/new"), "new");
        Files.createDirectories(upper.resolve("e"));
        Files.writeString(upper.resolve("e/added"), "added");
    }

    @Test
    void theMergedViewHidesWhitedOutFilesAndWhatAnOpaqueDirectoryCovers() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TreeTar tar = new TreeTar(bytes)) {
            ContainerFiles.merged(List.of(upper, lower), tar);
        }
        assertEquals(List.of("a", "c", "d/", "d/new", "e/", "e/added", "e/kept"), names(bytes.toByteArray()));
    }

    @Test
    void theChangesAreAnOciLayerWithWhiteoutsAndOpaqueMarkers() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TreeTar tar = new TreeTar(bytes)) {
            ContainerFiles.changes(upper, tar);
        }
        assertEquals(
                List.of("a", ".wh.b", "d/", "d/.wh..wh..opq", "d/new", "e/", "e/added"), names(bytes.toByteArray()));
    }

    @Test
    void linksInAWritableLayerToHostPathsAreArchivedAsLinksAndNeverFollowed() throws Exception {
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.writeString(host.resolve("shadow"), "host secret");
        Files.createSymbolicLink(upper.resolve("e2"), host);
        Files.createSymbolicLink(upper.resolve("secret"), host.resolve("shadow"));
        Files.createDirectories(lower.resolve("e2"));
        Files.writeString(lower.resolve("e2/lower"), "lower");

        ByteArrayOutputStream merged = new ByteArrayOutputStream();
        try (TreeTar tar = new TreeTar(merged)) {
            ContainerFiles.merged(List.of(upper, lower), tar);
        }
        ByteArrayOutputStream changes = new ByteArrayOutputStream();
        try (TreeTar tar = new TreeTar(changes)) {
            ContainerFiles.changes(upper, tar);
        }

        for (byte[] archive : List.of(merged.toByteArray(), changes.toByteArray())) {
            assertEquals(false, new String(archive, StandardCharsets.ISO_8859_1).contains("host secret"));
            List<String> names = names(archive);
            assertEquals(true, names.contains("e2") && names.contains("secret"), names.toString());
            assertEquals(false, names.stream().anyMatch(n -> n.startsWith("e2/")), names.toString());
        }
    }

    @Test
    void imageNamesAreCheckedAsDockerChecksThem() {
        assertEquals("test/x:latest", ContainerCommit.reference("test/x"));
        assertEquals("test/x:2", ContainerCommit.reference("test/x:2"));
        assertEquals("localhost:5000/a/b_c:v1.0", ContainerCommit.reference("localhost:5000/a/b_c:v1.0"));
        assertEquals(
                "x:latest", ContainerCommit.reference("docker.io/library/x"), "named as a pull of it would be stored");
        assertEquals("localhost/qa/x:1", ContainerCommit.reference("localhost/qa/x:1"));
        assertEquals(
                "image reference \"x@sha256:" + "a".repeat(64) + "\": a commit is named NAME[:TAG], not by a digest",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ContainerCommit.reference("x@sha256:" + "a".repeat(64)))
                        .getMessage());
        for (String bad : List.of("Bad:Name", "test/x:", "x:bad tag", "-x", "a//b", "a/", ":1", "a:b:c:d/e")) {
            assertThrows(IllegalArgumentException.class, () -> ContainerCommit.reference(bad), bad);
        }
    }

    private static List<String> names(byte[] tar) throws Exception {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                names.add(entry.getName());
            }
        }
        return names;
    }

    private static void xattr(Path path, String name, String value) throws Exception {
        Files.getFileAttributeView(path, UserDefinedFileAttributeView.class)
                .write(name, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }
}
