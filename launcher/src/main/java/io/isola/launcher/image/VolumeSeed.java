package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileStat;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Docker's copy-up: a new, empty volume mounted where an image (or a {@code --rootfs} directory)
 * has a directory gets that directory's content (owners, modes, links) and its owner and mode.
 * The image's layers are read as the container would see them (whiteouts and opaque
 * directories applied), without mounting
 * anything. Nothing of the image is followed: a link on the way to the directory means no copy
 * (Docker would resolve it inside the root; here the volume simply starts empty), a link inside
 * it is copied as a link, and the copy is written by {@link LayerExtractor}, which refuses an
 * entry that would land outside the volume.
 */
public final class VolumeSeed {

    private VolumeSeed() {}

    /**
     * Copies what {@code layersTopFirst} hold at {@code path} (absolute in the container) into
     * {@code data}, an empty directory that this user owns; {@code scratch} is a directory on the
     * same file system for the copy's tar. Returns whether the image had a directory there.
     */
    public static boolean seed(List<Path> layersTopFirst, String path, Path data, Path scratch) throws IOException {
        return seed(layersTopFirst, true, path, data, scratch);
    }

    /**
     * As {@link #seed}, from a plain directory tree ({@code --rootfs}): the same rules, but no
     * layer marks: a 0/0 device or an opaque xattr there is not taken for a deletion.
     */
    public static boolean seedFromDirectory(Path rootfs, String path, Path data, Path scratch) throws IOException {
        return seed(List.of(rootfs), false, path, data, scratch);
    }

    private static boolean seed(List<Path> layersTopFirst, boolean layered, String path, Path data, Path scratch)
            throws IOException {
        List<DirectoryFd> current = new ArrayList<>();
        try {
            for (Path layer : layersTopFirst) {
                current.add(DirectoryFd.open(layer));
            }
            FileStat top = null;
            for (String name : DirectoryFd.components(path.substring(1))) {
                List<DirectoryFd> showing = new ArrayList<>();
                top = null;
                for (DirectoryFd dir : current) {
                    Optional<FileStat> stat = dir.stat(name);
                    if (stat.isEmpty()) {
                        continue; // absent here: a lower layer may still show it
                    }
                    if (!stat.get().isDirectory() || layered && LayerMarks.isWhiteout(dir, name, stat.get())) {
                        break; // deleted, or a file or link: it hides every layer below
                    }
                    DirectoryFd sub = dir.directory(name);
                    showing.add(sub);
                    top = top == null ? stat.get() : top;
                    if (layered && LayerMarks.isOpaque(sub)) {
                        break;
                    }
                }
                current.forEach(DirectoryFd::close);
                current = showing;
                if (current.isEmpty()) {
                    return false; // missing, not a directory, or reached through a link: nothing to copy
                }
            }
            if (top == null) {
                return false; // the container's root itself cannot be a volume
            }
            Path tar = Files.createTempFile(scratch, "seed", ".tar");
            try {
                try (OutputStream out = FreeSpace.limited(
                                Files.newOutputStream(tar),
                                scratch,
                                "the copy of the image's " + path + " for its volume");
                        TreeTar writer = new TreeTar(out)) {
                    if (layered) {
                        ContainerFiles.mergedBelow(current, writer);
                    } else {
                        ContainerFiles.directory("", current.get(0), writer);
                    }
                }
                try (InputStream in = Files.newInputStream(tar)) {
                    LayerExtractor.extract(in, data, (layered ? "the image's " : "the rootfs's ") + path);
                }
            } finally {
                Files.deleteIfExists(tar);
            }
            Files.setAttribute(data, "unix:mode", top.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
            if (HostIdentity.current().isRoot()) {
                Files.setAttribute(data, "unix:uid", top.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(data, "unix:gid", top.gid(), LinkOption.NOFOLLOW_LINKS);
            }
            return true;
        } finally {
            current.forEach(DirectoryFd::close);
        }
    }
}
