package io.isola.spi;

import io.isola.internal.nativ.DirectoryFd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Host-side work on a tree whose content a container or an image chose (a writable layer, an
 * unpacked layer): nothing here follows a link inside the tree, however the tree changes
 * meanwhile, so a link a container planted or swapped in never leads the host to its own files.
 *
 * @since 1.2
 */
public final class ContainerTrees {

    private ContainerTrees() {}

    /**
     * Removes {@code tree} and everything in it, each directory opened relative to its parent
     * without following links (as Go's os.RemoveAll does with unlinkat); nothing if it is gone.
     * The path up to {@code tree} is the caller's own and trusted; {@code tree} itself, if a link,
     * is removed as a link.
     */
    public static void remove(Path tree) throws IOException {
        Path absolute = tree.toAbsolutePath().normalize();
        if (absolute.getParent() == null || !Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryFd parent = DirectoryFd.open(absolute.getParent())) {
            parent.remove(absolute.getFileName().toString());
        }
    }
}
