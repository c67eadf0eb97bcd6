package io.isola.ns.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;

/**
 * Lookups in an overlayfs root before it is mounted: the layers top first, where a whiteout hides
 * what is below it and an opaque directory hides the lower layers' content of that directory. The
 * xattr forms ({@code user.overlay.*}, with the {@code userxattr} mount option) and the classic
 * 0/0 character device are both understood.
 */
final class OverlayBacking implements Backing {

    private static final String WHITEOUT = "overlay.whiteout", OPAQUE = "overlay.opaque";

    private final List<Path> layers;
    private final Backing[] hosts;

    OverlayBacking(List<Path> layersTopFirst) {
        this.layers = List.copyOf(layersTopFirst);
        this.hosts = layers.stream().map(Backing::host).toArray(Backing[]::new);
    }

    @Override
    public Entry lookup(List<String> relative) {
        for (int i = 0; i < layers.size(); i++) {
            Path layer = layers.get(i);
            Path path = layer;
            boolean opaqueAbove = false;
            boolean present = true;
            for (int c = 0; c < relative.size(); c++) {
                if (isOpaque(path)) {
                    opaqueAbove = true;
                }
                path = path.resolve(relative.get(c));
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    present = false;
                    break;
                }
                if (isWhiteout(path)) {
                    return Entry.MISSING;
                }
            }
            if (present) {
                return hosts[i].lookup(relative);
            }
            if (opaqueAbove) {
                return Entry.MISSING;
            }
        }
        return Entry.MISSING;
    }

    private static boolean isWhiteout(Path path) {
        try {
            if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                return Files.size(path) == 0 && xattr(path, WHITEOUT) != null;
            }
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(path)) {
                Object rdev = Files.getAttribute(path, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
                Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                return ((Integer) mode & 0170000) == 0020000 && ((Long) rdev) == 0;
            }
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean isOpaque(Path dir) {
        return "y".equals(xattr(dir, OPAQUE));
    }

    /** A user.* xattr's value, or null. */
    private static String xattr(Path path, String name) {
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (view == null || !view.list().contains(name)) {
                return null;
            }
            ByteBuffer value = ByteBuffer.allocate(view.size(name));
            view.read(name, value);
            return new String(value.array(), 0, value.position(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
