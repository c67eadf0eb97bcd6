package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.FileCallException;
import io.isola.internal.nativ.FileStat;
import io.isola.spi.support.OverlayLayers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a container changed in its image's files, as Docker's {@code diff} lists it: {@code A}
 * (added), {@code C} (changed) or {@code D} (deleted) and the path, sorted by path. Read from the
 * writable layer's {@code upper} through descriptors (a running container may swap a directory
 * for a link meanwhile, see {@link ContainerFiles}); the image's layers are the store's own and
 * read by path. The empty mount points the mount isolator makes where the image has none (of
 * /proc, /sys, /dev, the network's files) are left out, as Docker's init layer keeps them out
 * of its diff.
 */
public final class ContainerChanges {

    /** Where the mount isolator may make mount points in the writable layer. */
    private static final Set<String> MOUNT_POINTS =
            Set.of("dev", "proc", "sys", "tmp", "run", "etc", "dev/pts", "dev/shm", "dev/mqueue", "dev/console");

    /** One change. */
    public record Change(char kind, String path) {
        @Override
        public String toString() {
            return kind + " " + path;
        }
    }

    private ContainerChanges() {}

    /**
     * As {@link #of}; a rootless user's container may have left directories of its subordinate
     * ids that the user's own process may not read (EACCES): then read in the user's namespace,
     * as commit and export do ({@link SubordinateTrees}).
     */
    public static List<Change> ofContainer(Path upper, List<Path> lowersTopFirst) throws IOException {
        try {
            return of(upper, lowersTopFirst);
        } catch (FileCallException e) {
            if (e.errno() != Errno.EACCES || !SubordinateTrees.needed()) {
                throw e;
            }
        }
        List<Path> paths = new ArrayList<>(List.of(upper));
        paths.addAll(lowersTopFirst);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SubordinateTrees.tar("diff", paths, out);
        List<Change> changes = new ArrayList<>();
        // NUL-ended: a name may hold a newline
        for (String line : out.toString(StandardCharsets.UTF_8).split("\0")) {
            if (line.length() > 2) {
                changes.add(new Change(line.charAt(0), line.substring(2)));
            }
        }
        return changes;
    }

    /** Writes {@link #of}'s changes to {@code out}, each ended by a NUL, for {@link #ofContainer} (in {@link TreeTask}). */
    static void write(Path upper, List<Path> lowersTopFirst, OutputStream out) throws IOException {
        for (Change change : of(upper, lowersTopFirst)) {
            out.write((change + "\0").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The changes in {@code upper} over {@code lowersTopFirst}. */
    public static List<Change> of(Path upper, List<Path> lowersTopFirst) throws IOException {
        List<Change> changes = new ArrayList<>();
        try (DirectoryFd root = DirectoryFd.open(upper)) {
            walk("", root, lowersTopFirst, changes);
        }
        changes.sort(Comparator.comparing(Change::path));
        return changes;
    }

    private static void walk(String relative, DirectoryFd dir, List<Path> lowers, List<Change> changes)
            throws IOException {
        for (String name : dir.list()) {
            Optional<FileStat> stat = dir.stat(name);
            if (stat.isEmpty()) {
                continue; // removed since it was listed
            }
            String path = relative.isEmpty() ? name : relative + "/" + name;
            boolean below = inLowers(path, lowers);
            if (LayerMarks.isWhiteout(dir, name, stat.get())) {
                if (below) {
                    changes.add(new Change('D', "/" + path));
                }
                continue;
            }
            boolean mountPoint =
                    !below && (MOUNT_POINTS.contains(path) || ContainerFiles.NETWORK_MOUNT_POINTS.contains(path));
            if (mountPoint && stat.get().isRegularFile() && stat.get().size() == 0) {
                continue;
            }
            Change change = new Change(below ? 'C' : 'A', "/" + path);
            int at = changes.size();
            if (stat.get().isDirectory()) {
                try (DirectoryFd sub = dir.directory(name)) {
                    walk(path, sub, lowers, changes);
                }
            }
            if (!(mountPoint && stat.get().isDirectory() && changes.size() == at)) {
                changes.add(at, change); // an empty mount point directory is left out
            }
        }
    }

    /** Whether the image shows {@code path}: overlayfs's rules, whiteouts (either form) and opaque directories. */
    private static boolean inLowers(String path, List<Path> lowers) throws IOException {
        return OverlayLayers.topmost(lowers, List.of(path.split("/"))).isPresent();
    }
}
