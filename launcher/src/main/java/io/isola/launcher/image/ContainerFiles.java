package io.isola.launcher.image;

import static io.isola.launcher.image.LayerExtractor.OPAQUE_MARKER;
import static io.isola.launcher.image.LayerExtractor.WHITEOUT_PREFIX;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileCallException;
import io.isola.internal.nativ.FileStat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A container's files read on the host, without mounting anything: the merged view of an
 * overlayfs root (its writable layer's {@code upper} over the image's layers), as the container
 * sees it, for {@code export}; and the writable layer's changes as an OCI layer, for {@code commit}.
 *
 * <p>overlayfs marks a deleted file with a 0/0 character device (so does the image store; a store
 * of an older isola, or an embedder's layers, may use the {@code user.overlay.whiteout} xattr
 * form) and a directory that replaces a lower one with {@code user.overlay.opaque=y}, or {@code
 * trusted.overlay.opaque=y} without {@code userxattr}; all are read here. With {@code userxattr},
 * or {@code redirect_dir=off,metacopy=off} without it, overlayfs neither writes redirects nor
 * metacopy-only files, so the upper layer holds every changed file whole.
 *
 * <p>A running container changes its writable layer while it is read, and may swap a directory
 * for a link to a host path between two looks: every directory is therefore opened relative to
 * its parent's descriptor without following links ({@link DirectoryFd}), and a file is read
 * through a descriptor checked to be the regular file that was listed.
 */
final class ContainerFiles {

    /**
     * The mount points of a network namespace's generated files: the mount isolator makes them,
     * empty, where the image has none, and the network's own files are bound over them, so a
     * container's writes never reach them. Docker keeps them in an init layer that commit leaves
     * out; here they are left out by name when empty, so an image committed from a networked
     * container does not bring empty /etc/hosts and resolv.conf to the containers run from it.
     */
    static final Set<String> NETWORK_MOUNT_POINTS = Set.of("etc/hostname", "etc/hosts", "etc/resolv.conf");

    private ContainerFiles() {}

    /** Writes every file the container sees in {@code layersTopFirst} (the upper one first). */
    static void merged(List<Path> layersTopFirst, TreeTar tar) throws IOException {
        List<DirectoryFd> roots = new ArrayList<>();
        try {
            for (Path layer : layersTopFirst) {
                roots.add(DirectoryFd.open(layer));
            }
            merged("", roots, tar);
        } finally {
            roots.forEach(DirectoryFd::close);
        }
    }

    /** Writes what {@code dirs} (one directory as each layer that shows it holds it, top first) show, names relative to it. */
    static void mergedBelow(List<DirectoryFd> dirs, TreeTar tar) throws IOException {
        merged("", dirs, tar);
    }

    /** Writes a plain directory tree ({@code --rootfs}), where a 0/0 device is just a device. */
    static void directory(Path root, TreeTar tar) throws IOException {
        try (DirectoryFd dir = DirectoryFd.open(root)) {
            directory("", dir, tar);
        }
    }

    /** Writes what is below {@code dir}, named below {@code relative} ("" for none). */
    static void directory(String relative, DirectoryFd dir, TreeTar tar) throws IOException {
        for (String name : names(dir)) {
            Optional<FileStat> stat = dir.stat(name);
            if (stat.isEmpty()) {
                continue; // removed since it was listed
            }
            String path = join(relative, name);
            tar.add(path, dir, name, stat.get());
            if (stat.get().isDirectory()) {
                try (DirectoryFd sub = dir.directory(name)) {
                    directory(path, sub, tar);
                }
            }
        }
    }

    /** {@code dirs}: the directory at {@code relative} in each layer that shows through, top first; not closed here. */
    private static void merged(String relative, List<DirectoryFd> dirs, TreeTar tar) throws IOException {
        Map<String, Integer> shown = new TreeMap<>();
        Map<String, FileStat> stats = new TreeMap<>();
        Set<String> hidden = new HashSet<>();
        for (int i = 0; i < dirs.size(); i++) {
            for (String name : names(dirs.get(i))) {
                if (shown.containsKey(name) || hidden.contains(name)) {
                    continue;
                }
                Optional<FileStat> stat = dirs.get(i).stat(name);
                if (stat.isEmpty()) {
                    continue;
                }
                if (LayerMarks.isWhiteout(dirs.get(i), name, stat.get())) {
                    hidden.add(name);
                } else {
                    shown.put(name, i);
                    stats.put(name, stat.get());
                }
            }
        }
        for (Map.Entry<String, Integer> entry : shown.entrySet()) {
            String name = entry.getKey();
            int top = entry.getValue();
            String path = join(relative, name);
            tar.add(path, dirs.get(top), name, stats.get(name));
            if (!stats.get(name).isDirectory()) {
                continue;
            }
            List<DirectoryFd> below = new ArrayList<>();
            try {
                below.add(dirs.get(top).directory(name));
                for (int j = top + 1; j < dirs.size() && !LayerMarks.isOpaque(below.get(below.size() - 1)); j++) {
                    Optional<FileStat> lower = dirs.get(j).stat(name);
                    if (lower.isEmpty()) {
                        continue; // absent from this layer: the ones below may still show
                    }
                    if (!lower.get().isDirectory()) {
                        break; // a file or a whiteout hides every layer below it
                    }
                    below.add(dirs.get(j).directory(name));
                }
                merged(path, below, tar);
            } finally {
                below.forEach(DirectoryFd::close);
            }
        }
    }

    /**
     * Writes the changes in an overlayfs upper directory as an OCI layer: files and directories
     * as they are, a deleted name as an empty {@code .wh.NAME}, an opaque directory followed by
     * {@code .wh..wh..opq}, as {@code docker commit} writes them.
     */
    static void changes(Path upper, TreeTar tar) throws IOException {
        try (DirectoryFd dir = DirectoryFd.open(upper)) {
            changes("", dir, tar);
        }
    }

    private static void changes(String relative, DirectoryFd dir, TreeTar tar) throws IOException {
        for (String name : names(dir)) {
            Optional<FileStat> stat = dir.stat(name);
            if (stat.isEmpty()) {
                continue;
            }
            String path = join(relative, name);
            if (LayerMarks.isWhiteout(dir, name, stat.get())) {
                tar.marker(join(relative, WHITEOUT_PREFIX + name));
                continue;
            }
            if (NETWORK_MOUNT_POINTS.contains(path)
                    && stat.get().isRegularFile()
                    && stat.get().size() == 0) {
                continue;
            }
            tar.add(path, dir, name, stat.get());
            if (stat.get().isDirectory()) {
                try (DirectoryFd sub = dir.directory(name)) {
                    if (LayerMarks.isOpaque(sub)) {
                        tar.marker(path + "/" + OPAQUE_MARKER);
                    }
                    changes(path, sub, tar);
                }
            }
        }
    }

    private static List<String> names(DirectoryFd dir) throws FileCallException {
        List<String> names = new ArrayList<>(dir.list());
        names.sort(null);
        return names;
    }

    private static String join(String relative, String name) {
        return relative.isEmpty() ? name : relative + "/" + name;
    }
}
