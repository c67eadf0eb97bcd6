package io.isola.ns.mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host's listening unix sockets that a sandbox's read-only binds would show: connect() checks
 * only a socket file's mode, not whether its mount is read-only, so a container's root reached
 * root daemons' sockets there (LXD's and kubelet's live under /var/lib). The sandbox mounts
 * {@code /dev/null} over each one, which refuses connections (ECONNREFUSED).
 *
 * <p>They are the bound sockets of the host's network namespace ({@code /proc/net/unix}), which
 * covers the daemons running when the container starts; a socket made later, or bound in another
 * network namespace, is not covered.
 */
final class HostSockets {

    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000;

    private HostSockets() {}

    /**
     * The real paths of the sockets bound in this network namespace that lie below one of
     * {@code boundTops} (the host's top-level directories the sandbox binds), sorted.
     */
    static List<String> below(Set<String> boundTops) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/net/unix"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the host's unix sockets (/proc/net/unix)", e);
        }
        Set<String> sockets = new TreeSet<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            // Num RefCount Protocol Flags Type St Inode Path: the path, when bound, is the rest
            String[] fields = line.trim().split("\\s+", 8);
            if (fields.length == 8 && fields[7].startsWith("/")) { // not abstract ("@..."): no file
                realSocket(fields[7])
                        .filter(real -> real.getNameCount() > 1
                                && boundTops.contains(real.getName(0).toString()))
                        .ifPresent(real -> sockets.add(real.toString()));
            }
        }
        return List.copyOf(sockets);
    }

    /**
     * Where the socket bound at {@code path} lies, links resolved (the child mounts on a path
     * without them, and a daemon may have bound through one); empty when no socket is there now
     * (gone, or bound in another mount namespace under a path the host lacks).
     */
    private static Optional<Path> realSocket(String path) {
        try {
            Path real = Path.of(path).toRealPath();
            return isSocket(real) ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code path} itself (not what it links to) is a socket; false when it is gone. */
    static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }
}
