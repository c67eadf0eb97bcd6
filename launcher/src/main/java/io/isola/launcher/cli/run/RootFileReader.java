package io.isola.launcher.cli.run;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileCallException;
import io.isola.spi.support.OverlayLayers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads a small file of a container's root from the host, before the container exists, as the
 * container will see it: the root is one directory ({@code --rootfs}) or an image's layers top
 * first, stacked as overlayfs stacks them (a whiteout hides a name, an opaque directory
 * the layers below it). Symbolic links are resolved inside the root, as the container would
 * resolve them after pivot_root, never on the host: an absolute target starts again at the
 * container's root and ".." stops there. Only regular files of at most {@link #MAX_BYTES} are read.
 */
final class RootFileReader implements RootFiles {

    static final int MAX_BYTES = 1 << 20;
    /** As the kernel's limit on links followed in one lookup. */
    private static final int MAX_LINKS = 40;

    private final List<Path> layersTopFirst;

    RootFileReader(List<Path> layersTopFirst) {
        this.layersTopFirst = List.copyOf(layersTopFirst);
    }

    /** The text of {@code path} (absolute inside the container), or empty when it is missing or not a regular file. */
    @Override
    public Optional<String> read(String path) throws IOException {
        Optional<List<String>> relative = resolve(path);
        OptionalInt layer =
                relative.isEmpty() ? OptionalInt.empty() : OverlayLayers.topmost(layersTopFirst, relative.get());
        if (layer.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = openRegular(layersTopFirst.get(layer.getAsInt()), relative.get())) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException(path + " of the container is larger than " + MAX_BYTES + " bytes");
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /**
     * Opens the regular file at {@code relative} (links already resolved) below {@code root}: a
     * link put on the way since it was looked up is refused by the descriptor walk ({@link
     * DirectoryFd}), a fifo or a device never opened: only a regular file is read. The lookup
     * itself goes through paths, so it suits trees that nothing changes while they are read (an
     * image's layers); a running container's root is read by {@link ContainerRootReader}.
     */
    static InputStream openRegular(Path root, List<String> relative) throws IOException {
        String parent = String.join("/", relative.subList(0, relative.size() - 1));
        try (DirectoryFd top = DirectoryFd.openRoot(root);
                DirectoryFd dir = top.directory(parent)) {
            return dir.readFile(relative.get(relative.size() - 1), null);
        } catch (FileCallException e) {
            throw new IOException("/" + String.join("/", relative) + " of the container: " + e.getMessage(), e);
        }
    }

    /** The components of the regular file at {@code path}, links resolved inside the root. */
    private Optional<List<String>> resolve(String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            done.add(name);
            Optional<Path> found = lookup(done);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            BasicFileAttributes attributes =
                    Files.readAttributes(found.get(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new IOException(path + " of the container: too many levels of symbolic links");
                }
                String target = Files.readSymbolicLink(found.get()).toString();
                done.remove(done.size() - 1);
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> rest = new ArrayList<>(components(target));
                rest.addAll(todo);
                todo = new ArrayDeque<>(rest);
            } else if (!todo.isEmpty() && !attributes.isDirectory()) {
                return Optional.empty();
            } else if (todo.isEmpty() && !attributes.isRegularFile()) {
                return Optional.empty();
            }
        }
        return done.isEmpty() ? Optional.empty() : Optional.of(done);
    }

    /** The topmost layer's entry at {@code relative}, honouring whiteouts and opaque directories. */
    private Optional<Path> lookup(List<String> relative) throws IOException {
        OptionalInt layer = OverlayLayers.topmost(layersTopFirst, relative);
        if (layer.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(layersTopFirst.get(layer.getAsInt()).resolve(String.join("/", relative)));
    }

    private static List<String> components(String path) {
        List<String> components = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                components.add(part);
            }
        }
        return components;
    }
}
