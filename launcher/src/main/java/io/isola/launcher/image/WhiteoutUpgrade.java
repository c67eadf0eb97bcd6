package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileAttributes;
import io.isola.internal.nativ.FileStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the layers of a store made before whiteouts were character devices: there a deleted
 * name was an empty file with {@code user.overlay.whiteout}, its directory marked {@code
 * user.overlay.opaque=x}, which overlayfs reads from Linux 6.7 only. Each such file becomes a 0/0
 * character device, put in its place by a rename (a container running on the layer sees a
 * whiteout throughout on a kernel that reads both), and the {@code x} marks go; opaque
 * directories ({@code y}) stay as they are. Once every layer is done, {@code ROOT/format} records
 * it, so a store is walked once; an upgrade cut short is begun again, each step being idempotent.
 */
final class WhiteoutUpgrade {

    private static final Logger LOG = LoggerFactory.getLogger(WhiteoutUpgrade.class);
    /** The store's format: device whiteouts. Absent in stores made before it. */
    static final String FORMAT = "format", CURRENT = "2";

    private static final String PENDING = ".isola-whiteout";

    private WhiteoutUpgrade() {}

    /** Upgrades the store's layers unless its format says it is done; under the store's lock. */
    static void ifNeeded(ImageStore store) throws IOException {
        Path format = store.root().resolve(FORMAT);
        if (Files.isRegularFile(format)) {
            return;
        }
        try (var lock = store.lock()) {
            if (Files.isRegularFile(format)) {
                return; // another process upgraded it meanwhile
            }
            Path layers = store.root().resolve("layers/sha256");
            int converted = 0;
            if (Files.isDirectory(layers)) {
                try (Stream<Path> entries = Files.list(layers)) {
                    for (Path layer : entries.sorted().toList()) {
                        if (Files.isDirectory(layer, LinkOption.NOFOLLOW_LINKS)) {
                            try (DirectoryFd dir = DirectoryFd.open(layer)) {
                                converted += upgrade(dir);
                            }
                        }
                    }
                }
            }
            if (converted > 0) {
                LOG.info("image store {}: {} whiteouts rewritten as character devices 0/0", store.root(), converted);
            }
            Path partial = store.root().resolve(FORMAT + ".partial");
            Files.writeString(partial, CURRENT + "\n", StandardCharsets.US_ASCII);
            Files.move(partial, format, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One directory of a layer and those below it, through descriptors (a layer's links are an image's); returns the whiteouts rewritten. */
    static int upgrade(DirectoryFd dir) throws IOException {
        int converted = 0;
        for (String name : dir.list()) {
            Optional<FileStat> stat = dir.stat(name);
            if (stat.isEmpty()) {
                continue;
            }
            if (stat.get().isDirectory()) {
                try (DirectoryFd sub = dir.directory(name)) {
                    converted += upgrade(sub);
                }
            } else if (stat.get().isRegularFile()
                    && stat.get().size() == 0
                    && dir.xattr(name, LayerMarks.XATTR_WHITEOUT) != null) {
                replaceByDevice(dir, name);
                converted++;
            }
        }
        if ("x".equals(FileAttributes.xattr(dir.fd(), LayerMarks.USER_OPAQUE))) {
            FileAttributes.removeXattr(dir.fd(), LayerMarks.USER_OPAQUE);
        }
        return converted;
    }

    private static void replaceByDevice(DirectoryFd dir, String name) throws IOException {
        String pending = PENDING + "." + name;
        if (pending.getBytes(StandardCharsets.UTF_8).length > 255) { // NAME_MAX: no atomic swap, a brief gap instead
            dir.remove(name);
            dir.whiteout(name);
            return;
        }
        Optional<FileStat> left = dir.stat(pending);
        if (left.isPresent()
                && !(left.get().type() == FileStat.S_IFCHR
                        && left.get().rdevMajor() == 0
                        && left.get().rdevMinor() == 0)) {
            dir.remove(name); // the image's own file of that name, kept: no atomic swap, a brief gap instead
            dir.whiteout(name);
            return;
        }
        if (left.isPresent()) {
            dir.remove(pending); // left by an upgrade cut short
        }
        dir.whiteout(pending);
        dir.rename(pending, name);
    }
}
