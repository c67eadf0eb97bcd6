package io.isola.spi.support;

import io.isola.internal.nativ.FileAttributes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * An image's layers, top first, read on the host as overlayfs stacks them, before (or without)
 * the mount: a whiteout hides a name and what is below it, an opaque directory the lower layers'
 * content of that directory. Both forms of whiteout are understood: the classic 0/0 character
 * device, which every overlayfs reads, and the xattr one ({@code user.overlay.whiteout}, Linux 6.7,
 * the {@code userxattr} mount option). A directory is opaque with {@code user.overlay.opaque=y}
 * (the {@code userxattr} mount) or {@code trusted.overlay.opaque=y} (root's mount without it, on a
 * file system without user xattrs): one tree holds one kind, as the mount isolator chooses.
 *
 * @since 1.2
 */
public final class OverlayLayers {

    private static final String WHITEOUT = "overlay.whiteout";
    private static final List<String> OPAQUE = List.of("user.overlay.opaque", "trusted.overlay.opaque");

    private OverlayLayers() {}

    /**
     * The index in {@code layersTopFirst} of the layer whose entry at {@code relative} (components,
     * none "." or "..") the merged tree shows; empty when a whiteout or an opaque directory hides
     * it or no layer has it. A file or a link on the way also hides the layers below: links are
     * the caller's to resolve, component by component, as the kernel does after pivot_root.
     */
    public static OptionalInt topmost(List<Path> layersTopFirst, List<String> relative) throws IOException {
        for (int i = 0; i < layersTopFirst.size(); i++) {
            Path path = layersTopFirst.get(i);
            boolean hidesBelow = false;
            boolean present = true;
            for (int c = 0; c < relative.size() && present; c++) {
                hidesBelow |= isOpaque(path);
                path = path.resolve(relative.get(c));
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    present = false;
                } else if (isWhiteout(path)
                        || (c < relative.size() - 1 && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))) {
                    return OptionalInt.empty();
                }
            }
            if (present) {
                return OptionalInt.of(i);
            }
            if (hidesBelow) {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.empty();
    }

    /** A 0/0 character device (overlayfs's own whiteout) or an empty file with the whiteout xattr (an image store's). */
    static boolean isWhiteout(Path file) throws IOException {
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(file, "unix:mode,rdev,size", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        int type = FileModes.type((Integer) unix.get("mode"));
        if (type == FileModes.S_IFCHR) {
            return (Long) unix.get("rdev") == 0;
        }
        return type == FileModes.S_IFREG && (Long) unix.get("size") == 0 && xattr(file, WHITEOUT) != null;
    }

    /** Whether overlayfs hides the lower layers' content of this directory. */
    static boolean isOpaque(Path dir) throws IOException {
        for (String name : OPAQUE) {
            if ("y".equals(FileAttributes.xattr(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the file system of {@code dir} (or of its nearest existing parent) has user xattrs,
     * from which overlayfs mounted with {@code userxattr} reads its marks; else only root's mount
     * without it can stack layers there (with {@code trusted.overlay.*} marks). Probed, not
     * written: tmpfs has them from Linux 6.6, ext4, xfs and btrfs for long.
     *
     * @since 1.2
     */
    public static boolean userXattrs(Path dir) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing.getParent() != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        return FileAttributes.hasUserXattrs(existing);
    }

    /** A user.* xattr's value, or null. */
    private static String xattr(Path path, String name) throws IOException {
        UserDefinedFileAttributeView view =
                Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return null;
        }
        try {
            if (!view.list().contains(name)) {
                return null;
            }
            ByteBuffer value = ByteBuffer.allocate(view.size(name));
            view.read(name, value);
            return new String(value.array(), 0, value.position(), StandardCharsets.UTF_8);
        } catch (FileSystemException e) {
            return null; // gone, or a file system without user xattrs, which holds none of these marks
        }
    }
}
