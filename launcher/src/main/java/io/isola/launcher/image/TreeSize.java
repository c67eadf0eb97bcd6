package io.isola.launcher.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * The bytes of the regular files below a directory, no link followed: what {@code docker images},
 * {@code system df} and the prune verbs report for a layer, a volume or a writable layer.
 */
public final class TreeSize {

    private TreeSize() {}

    /** The bytes below {@code dir}; a file that goes while it is counted counts nothing. */
    public static long of(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files::iterator) {
                total += regularBytes(file);
            }
            return total;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** {@link #of}, or 0 when {@code dir} cannot be read: for a report, never worth failing the verb. */
    public static long orZero(Path dir) {
        try {
            return of(dir);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long regularBytes(Path file) throws IOException {
        try {
            BasicFileAttributes attributes =
                    Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? attributes.size() : 0;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }
}
