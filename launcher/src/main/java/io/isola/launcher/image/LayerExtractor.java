package io.isola.launcher.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts one layer's tar into a directory, as overlayfs will read it as a lower layer.
 *
 * <p>Whiteouts become overlayfs's xattr form, which needs no native call: {@code .wh.NAME} an
 * empty file {@code NAME} with {@code user.overlay.whiteout} (its directory marked {@code
 * user.overlay.opaque=x}, "holds xattr whiteouts"); {@code .wh..wh..opq} marks its directory
 * {@code user.overlay.opaque=y}. Entry names are confined to the layer: an absolute name or one
 * with {@code ..} is refused, and no entry is written through a symbolic link. Ownership (when
 * root imports), modes (with setuid bits) and times are kept; a device node is refused and a
 * fifo, which Java cannot make, is skipped (the container's /dev is its own anyway). PAX headers
 * and long names are bounded ({@link BoundedTarInputStream}).
 */
final class LayerExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(LayerExtractor.class);
    private static final String WHITEOUT_PREFIX = ".wh.", OPAQUE_MARKER = ".wh..wh..opq";

    private final Path root;
    private final List<Path> directories = new ArrayList<>();
    private final List<TarArchiveEntry> directoryEntries = new ArrayList<>();

    private LayerExtractor(Path root) {
        this.root = root;
    }

    /** Extracts {@code tar} (uncompressed) into {@code root}, which must exist and be empty; returns the bytes written. */
    static long extract(InputStream tar, Path root, String layerName) throws IOException {
        LayerExtractor extractor = new LayerExtractor(root);
        long bytes = 0;
        TarArchiveInputStream in = new BoundedTarInputStream(tar);
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
            bytes += extractor.write(entry, in, layerName);
        }
        extractor.finish();
        return bytes;
    }

    private long write(TarArchiveEntry entry, InputStream content, String layerName) throws IOException {
        Path path = confined(entry.getName(), layerName);
        if (path.equals(root)) {
            return 0; // "./": the layer's root, which exists
        }
        String file = path.getFileName().toString();
        Path parent = path.getParent();
        Files.createDirectories(parent);
        if (file.equals(OPAQUE_MARKER)) {
            xattr(parent, "overlay.opaque", "y");
            return 0;
        }
        if (file.startsWith(WHITEOUT_PREFIX)) {
            Path hidden = parent.resolve(file.substring(WHITEOUT_PREFIX.length()));
            deleteIfPresent(hidden);
            Files.createFile(hidden);
            xattr(hidden, "overlay.whiteout", "");
            if (!"y".equals(readXattr(parent, "overlay.opaque"))) {
                xattr(parent, "overlay.opaque", "x"); // overlayfs only looks for xattr whiteouts in marked directories
            }
            return 0;
        }
        if (entry.isDirectory()) {
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                deleteIfPresent(path);
                Files.createDirectory(path);
            }
            directories.add(path); // modes and times once their content is written
            directoryEntries.add(entry);
            return 0;
        }
        deleteIfPresent(path);
        long size = 0;
        if (entry.isSymbolicLink()) {
            Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
            Path target;
            try {
                target = confined(entry.getLinkName(), layerName);
            } catch (IOException e) {
                throw new IOException("layer " + layerName + ": hard link \"" + entry.getName() + "\" to \"" + entry.getLinkName()
                        + "\" leaves the layer or goes through a symbolic link");
            }
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("layer " + layerName + ": hard link " + entry.getName() + " to "
                        + entry.getLinkName() + ", which is not a file earlier in the layer");
            }
            Files.createLink(path, target);
            return 0;
        } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
            // a layer is unpacked on the host: a device node in it would open host devices to anyone
            // who can reach the store, and the container's /dev is its own anyway
            throw new IOException("layer " + layerName + ": entry \"" + entry.getName() + "\" is a "
                    + (entry.isBlockDevice() ? "block" : "character") + " device; image layers may not hold device nodes");
        } else if (BoundedTarInputStream.isRegularFile(entry)) {
            size = Files.copy(content, path, StandardCopyOption.REPLACE_EXISTING);
        } else {
            LOG.debug("layer {}: skipping {} (a fifo or an unknown tar type)", layerName, entry.getName());
            return 0;
        }
        owner(path, entry);
        if (!entry.isSymbolicLink()) {
            Files.setAttribute(path, "unix:mode", entry.getMode() & 07777);
            Files.setLastModifiedTime(path, FileTime.from(entry.getLastModifiedDate().toInstant()));
        }
        return size;
    }

    private void finish() throws IOException {
        for (int i = directories.size() - 1; i >= 0; i--) {
            Path dir = directories.get(i);
            TarArchiveEntry entry = directoryEntries.get(i);
            owner(dir, entry);
            Files.setAttribute(dir, "unix:mode", entry.getMode() & 07777);
            Files.setLastModifiedTime(dir, FileTime.from(entry.getLastModifiedDate().toInstant()));
        }
    }

    /** Root keeps the tar's owners; any other user (rootless) cannot give files away, and keeps them: its uid is root inside. */
    private static final boolean ROOT = io.isola.spi.HostIdentity.current().isRoot();

    private static void owner(Path path, TarArchiveEntry entry) throws IOException {
        if (!ROOT) {
            return;
        }
        Files.setAttribute(path, "unix:uid", (int) entry.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", (int) entry.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
    }

    /** The entry's path in the layer; refuses names that leave it or pass through a link. */
    private Path confined(String name, String layerName) throws IOException {
        Path relative = Path.of(name).normalize();
        if (relative.isAbsolute() || relative.startsWith("..")) {
            throw new IOException("layer " + layerName + ": entry \"" + name + "\" points outside the layer");
        }
        Path path = root;
        for (Path component : relative) {
            if (component.toString().isEmpty() || component.toString().equals(".")) {
                continue;
            }
            if (!path.equals(root) && Files.isSymbolicLink(path)) {
                throw new IOException("layer " + layerName + ": entry \"" + name + "\" goes through a symbolic link");
            }
            path = path.resolve(component);
        }
        return path;
    }

    private static void deleteIfPresent(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            ImageStore.deleteTree(path);
        } else {
            Files.deleteIfExists(path);
        }
    }

    private static void xattr(Path path, String name, String value) throws IOException {
        view(path).write(name, ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String readXattr(Path path, String name) throws IOException {
        UserDefinedFileAttributeView view = view(path);
        if (!view.list().contains(name)) {
            return null;
        }
        ByteBuffer value = ByteBuffer.allocate(view.size(name));
        view.read(name, value);
        return new String(value.array(), 0, value.position(), StandardCharsets.UTF_8);
    }

    private static UserDefinedFileAttributeView view(Path path) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new IOException("the image store's file system does not support user xattrs, which image layers need");
        }
        return view;
    }
}
