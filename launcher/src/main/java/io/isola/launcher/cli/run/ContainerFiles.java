package io.isola.launcher.cli.run;

import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.NativeException;
import io.isola.spi.OverlayLayers;
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
 * first, stacked as overlayfs stacks them (an xattr whiteout hides a name, an opaque directory
 * the layers below it). Symbolic links are resolved inside the root, as the container would
 * resolve them after pivot_root, never on the host: an absolute target starts again at the
 * container's root and ".." stops there. Only regular files of at most {@link #MAX_BYTES} are read.
 */
final class ContainerFiles {

    static final int MAX_BYTES = 1 << 20;
    private static final int O_NOFOLLOW = 0400000;
    /** As the kernel's limit on links followed in one lookup. */
    private static final int MAX_LINKS = 40;

    private final List<Path> layersTopFirst;

    ContainerFiles(List<Path> layersTopFirst) {
        this.layersTopFirst = List.copyOf(layersTopFirst);
    }

    /** The text of {@code path} (absolute inside the container), or empty when it is missing or not a regular file. */
    Optional<String> read(String path) throws IOException {
        Optional<Path> host = resolve(path);
        if (host.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = openRegular(host.get())) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new IOException(path + " of the container is larger than " + MAX_BYTES + " bytes");
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /**
     * Opens {@code file}, which was a regular file when it was looked up: a running container (exec
     * --user reads its root through /proc/PID/root) may have put a link there since, which
     * O_NOFOLLOW refuses, or a FIFO, which O_NONBLOCK opens at once instead of blocking until a
     * writer comes; the open file is then checked to be a regular file before it is read.
     */
    static InputStream openRegular(Path file) throws IOException {
        int fd;
        try {
            fd = Fds.open(file.toString(), Fds.O_RDONLY | Fds.O_NONBLOCK | O_NOFOLLOW, 0);
        } catch (NativeException e) {
            throw new IOException(e.getMessage(), e);
        }
        InputStream in = new FdInputStream(fd);
        // stat of /proc/self/fd/N is that of the file the fd has open
        if (!Files.isRegularFile(Path.of("/proc/self/fd", Integer.toString(fd)))) {
            in.close();
            throw new IOException(file + " is not a regular file");
        }
        return in;
    }

    /** The host path of the regular file at {@code path}, links resolved inside the root. */
    private Optional<Path> resolve(String path) throws IOException {
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
            BasicFileAttributes attributes = Files.readAttributes(found.get(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
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
        return done.isEmpty() ? Optional.empty() : lookup(done);
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
