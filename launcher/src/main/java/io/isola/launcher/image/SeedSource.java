package io.isola.launcher.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** What a new volume's first content is copied from ({@link VolumeSeed}): an image's layers, a {@code --rootfs} tree, or nothing. */
public sealed interface SeedSource {

    SeedSource NONE = new Layers(List.of());

    /** Copies what this source holds at {@code path} into the empty {@code data}; false when it holds no directory there. */
    boolean seed(String path, Path data, Path scratch) throws IOException;

    static SeedSource layers(List<Path> topFirst) {
        return new Layers(List.copyOf(topFirst));
    }

    static SeedSource directory(Path rootfs) {
        return new Directory(rootfs);
    }

    /** An image's layers, top first, merged as overlayfs shows them. */
    record Layers(List<Path> topFirst) implements SeedSource {
        @Override
        public boolean seed(String path, Path data, Path scratch) throws IOException {
            return !topFirst.isEmpty() && VolumeSeed.seed(topFirst, path, data, scratch);
        }
    }

    /** A plain directory tree, the container's root as {@code --rootfs} gives it. */
    record Directory(Path rootfs) implements SeedSource {
        @Override
        public boolean seed(String path, Path data, Path scratch) throws IOException {
            return VolumeSeed.seedFromDirectory(rootfs, path, data, scratch);
        }
    }
}
