package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileAttributes;
import io.isola.internal.nativ.FileCallException;
import io.isola.internal.nativ.FileStat;

/**
 * overlayfs's marks, read through descriptors of a layer's directories: the descriptor-based
 * twin of {@link io.isola.spi.support.OverlayLayers}'s path checks, for trees a running container may
 * change while isola reads them (a writable layer exported or committed).
 */
final class LayerMarks {

    /**
     * An opaque directory's mark: the user one where the file system has user xattrs (the overlay
     * is mounted with {@code userxattr}, also in a user namespace), else the trusted one (root's
     * mount without it: tmpfs has user xattrs only from Linux 6.6). One store holds one kind.
     */
    static final String USER_OPAQUE = "user.overlay.opaque", TRUSTED_OPAQUE = "trusted.overlay.opaque";
    /** isola before device whiteouts: an empty file with this xattr, its directory {@code user.overlay.opaque=x} (Linux 6.7). */
    static final String XATTR_WHITEOUT = "user.overlay.whiteout";

    private LayerMarks() {}

    /** A 0/0 character device (every overlayfs's whiteout) or an empty file with the whiteout xattr (an older store's). */
    static boolean isWhiteout(DirectoryFd dir, String name, FileStat stat) throws FileCallException {
        if (stat.type() == FileStat.S_IFCHR) {
            return stat.rdevMajor() == 0 && stat.rdevMinor() == 0;
        }
        return stat.isRegularFile() && stat.size() == 0 && dir.xattr(name, XATTR_WHITEOUT) != null;
    }

    /** Whether overlayfs hides the lower layers' content of this directory. */
    static boolean isOpaque(DirectoryFd dir) throws FileCallException {
        return "y".equals(FileAttributes.xattr(dir.fd(), USER_OPAQUE))
                || "y".equals(FileAttributes.xattr(dir.fd(), TRUSTED_OPAQUE));
    }
}
