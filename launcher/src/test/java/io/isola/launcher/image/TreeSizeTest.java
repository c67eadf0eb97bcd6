package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeSizeTest {

    @TempDir
    Path dir;

    @Test
    void countsRegularFilesBelowTheDirectoryAndNoLinksTarget() throws IOException {
        Files.write(dir.resolve("a"), new byte[3]);
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.write(sub.resolve("b"), new byte[5]);
        Path outside = Files.createTempFile("tree-size", ".bin");
        try {
            Files.write(outside, new byte[1000]);
            Files.createSymbolicLink(sub.resolve("link"), outside);
            Files.createSymbolicLink(dir.resolve("dir-link"), outside.getParent());

            assertEquals(8, TreeSize.of(dir));
            assertEquals(8, TreeSize.orZero(dir));
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void aMissingDirectoryThrowsOrIsZero() {
        Path gone = dir.resolve("gone");
        assertThrows(NoSuchFileException.class, () -> TreeSize.of(gone));
        assertEquals(0, TreeSize.orZero(gone));
    }
}
