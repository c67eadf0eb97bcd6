package io.isola.launcher.image;

import io.isola.spi.OverlayLayers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A container's files read on the host, without mounting anything: the merged view of an
 * overlayfs root (its writable layer's {@code upper} over the image's layers), as the container
 * sees it, for {@code export}; and the writable layer's changes as an OCI layer, for {@code commit}.
 *
 * <p>overlayfs marks a deleted file in the upper layer with a 0/0 character device (the image
 * store's lower layers use the {@code user.overlay.whiteout} xattr form instead) and a directory
 * that replaces a lower one with {@code user.overlay.opaque=y}; both are read here. With the
 * {@code userxattr} mount option overlayfs neither writes redirects nor metacopy-only files, so
 * the upper layer holds every changed file whole.
 */
final class ContainerFiles {

    static final String WHITEOUT_PREFIX = ".wh.", OPAQUE_MARKER = ".wh..wh..opq";

    private ContainerFiles() {}

    /** Writes every file the container sees in {@code layersTopFirst} (the upper one first). */
    static void merged(List<Path> layersTopFirst, TreeTar tar) throws IOException {
        merged("", layersTopFirst, tar);
    }

    /** Writes a plain directory tree ({@code --rootfs}), where a 0/0 device is just a device. */
    static void directory(Path root, TreeTar tar) throws IOException {
        for (String name : names(root)) {
            Path file = root.resolve(name);
            tar.add(name, file);
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                directory(name, file, tar);
            }
        }
    }

    private static void directory(String relative, Path dir, TreeTar tar) throws IOException {
        for (String name : names(dir)) {
            Path file = dir.resolve(name);
            tar.add(relative + "/" + name, file);
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                directory(relative + "/" + name, file, tar);
            }
        }
    }

    /** {@code dirs}: the directory at {@code relative} in each layer that shows through, top first. */
    private static void merged(String relative, List<Path> dirs, TreeTar tar) throws IOException {
        Map<String, Integer> shown = new TreeMap<>();
        Set<String> hidden = new HashSet<>();
        for (int i = 0; i < dirs.size(); i++) {
            for (String name : names(dirs.get(i))) {
                if (shown.containsKey(name) || hidden.contains(name)) {
                    continue;
                }
                if (OverlayLayers.isWhiteout(dirs.get(i).resolve(name))) {
                    hidden.add(name);
                } else {
                    shown.put(name, i);
                }
            }
        }
        for (Map.Entry<String, Integer> entry : shown.entrySet()) {
            String name = entry.getKey();
            int top = entry.getValue();
            Path file = dirs.get(top).resolve(name);
            String path = relative.isEmpty() ? name : relative + "/" + name;
            tar.add(path, file);
            if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            List<Path> below = new ArrayList<>(List.of(file));
            for (int j = top + 1; j < dirs.size() && !OverlayLayers.isOpaque(below.get(below.size() - 1)); j++) {
                Path lower = dirs.get(j).resolve(name);
                if (!Files.exists(lower, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // absent from this layer: the ones below may still show
                }
                if (!Files.isDirectory(lower, LinkOption.NOFOLLOW_LINKS)) {
                    break; // a file or a whiteout hides every layer below it
                }
                below.add(lower);
            }
            merged(path, below, tar);
        }
    }

    /**
     * Writes the changes in an overlayfs upper directory as an OCI layer: files and directories
     * as they are, a deleted name as an empty {@code .wh.NAME}, an opaque directory followed by
     * {@code .wh..wh..opq}, as {@code docker commit} writes them.
     */
    static void changes(Path upper, TreeTar tar) throws IOException {
        changes("", upper, tar);
    }

    private static void changes(String relative, Path dir, TreeTar tar) throws IOException {
        String prefix = relative.isEmpty() ? "" : relative + "/";
        for (String name : names(dir)) {
            Path file = dir.resolve(name);
            if (OverlayLayers.isWhiteout(file)) {
                tar.marker(prefix + WHITEOUT_PREFIX + name);
                continue;
            }
            tar.add(prefix + name, file);
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                if (OverlayLayers.isOpaque(file)) {
                    tar.marker(prefix + name + "/" + OPAQUE_MARKER);
                }
                changes(prefix + name, file, tar);
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
