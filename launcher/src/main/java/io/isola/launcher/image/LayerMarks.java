package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileAttributes;
import io.isola.internal.nativ.FileCallException;
import io.isola.internal.nativ.FileStat;

/**
 * overlayfs's marks, read through descriptors of a layer's directories: the descriptor-based
 * twin of {@link io.isola.spi.OverlayLayers}'s path checks, for trees a running container may
 * change while isola reads them (a writable layer exported or committed).
 */
final class LayerMarks {

    private LayerMarks() {}

    /** A 0/0 character device (overlayfs's own whiteout) or an empty file with the whiteout xattr (an image store's). */
    static boolean isWhiteout(DirectoryFd dir, String name, FileStat stat) throws FileCallException {
        if (stat.type() == FileStat.S_IFCHR) {
            return stat.rdevMajor() == 0 && stat.rdevMinor() == 0;
        }
        return stat.isRegularFile() && stat.size() == 0 && dir.xattr(name, "user.overlay.whiteout") != null;
    }

    /** Whether overlayfs hides the lower layers' content of this directory. */
    static boolean isOpaque(DirectoryFd dir) throws FileCallException {
        return "y".equals(FileAttributes.xattr(dir.fd(), "user.overlay.opaque"));
    }
}
