package io.isola.launcher.image;

import io.isola.lifecycle.SavedRoot;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code isola export}: a tar of a container's root file system as the container sees it (an
 * image's layers with the container's changes, or its {@code --rootfs} directory), read from the
 * host while it runs or after it stopped. Volumes, tmpfs mounts, /proc, /dev and /sys are not part
 * of it, as they are not of {@code docker export}. A rootless user's are read in a user namespace
 * ({@link SubordinateTrees}), with the owners the container sees.
 */
public final class ContainerExport {

    private ContainerExport() {}

    /** Checks that the container has files of its own to export; throws naming what is missing. */
    public static void check(String containerId, SavedRoot root) {
        sources(containerId, root);
    }

    /** Writes the tar to {@code out} (not closed). */
    public static void write(String containerId, SavedRoot root, OutputStream out) throws IOException {
        List<Path> sources = sources(containerId, root);
        if (SubordinateTrees.needed()) {
            SubordinateTrees.tar(root.rootfs() != null ? "directory" : "merged", sources, out);
            return;
        }
        try (TreeTar tar = new TreeTar(out)) {
            if (root.rootfs() != null) {
                ContainerFiles.directory(sources.get(0), tar);
            } else {
                ContainerFiles.merged(sources, tar);
            }
        }
    }

    /** The directories to read, top first: the upper layer and the image's layers, or the rootfs. */
    static List<Path> sources(String containerId, SavedRoot root) {
        if (root == null) {
            throw new IllegalArgumentException("container " + containerId
                    + " has no root file system of its own (it sees the host's files): nothing to export");
        }
        if (root.rootfs() != null) {
            return List.of(existing(containerId, Path.of(root.rootfs()), "root file system"));
        }
        List<Path> sources = new ArrayList<>();
        sources.add(existing(containerId, Path.of(root.writableLayer(), "upper"), "writable layer"));
        for (String layer : root.layers()) {
            sources.add(existing(containerId, Path.of(layer), "image layer"));
        }
        return sources;
    }

    private static Path existing(String containerId, Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("container " + containerId + ": its " + what + " " + dir
                    + " is gone (removed by 'isola rm', 'image rm' or a sweep)");
        }
        return dir;
    }
}
