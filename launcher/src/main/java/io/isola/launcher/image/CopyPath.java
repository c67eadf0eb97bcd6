package io.isola.launcher.image;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.FileCallException;
import java.io.IOException;

/**
 * A path of {@code isola cp} split as docker cp reads it: the directory to resolve, the last
 * name (null for the root), and what a trailing "/" or "/." asks for. A relative path is taken
 * from the root, as the container's working directory is not known to a stopped container.
 */
record CopyPath(String parent, String name, boolean directoryOnly, boolean contents) {

    static CopyPath of(String path) {
        if (path.isEmpty()) {
            throw new IsolaException("empty path: give an absolute path such as /etc/hosts");
        }
        boolean contents = path.equals(".") || path.endsWith("/.");
        String trimmed = contents ? path.substring(0, path.length() - 1) : path;
        boolean directoryOnly = trimmed.endsWith("/");
        trimmed = trimmed.replaceAll("/+$", "");
        int slash = trimmed.lastIndexOf('/');
        String name = trimmed.substring(slash + 1);
        String parent = slash < 0 ? "/" : trimmed.substring(0, slash + 1);
        if (name.isEmpty()) {
            return new CopyPath("/", null, true, true);
        }
        if (name.equals(".") || name.equals("..")) {
            // resolve it as a directory in the root, where ".." cannot leave: its parent is not a name to copy
            return new CopyPath(trimmed, null, true, true);
        }
        return new CopyPath(parent, name, directoryOnly, contents);
    }

    /** The directory {@code relative} of {@code root}, its errors named as the user wrote {@code path}. */
    static DirectoryFd directory(CopyRoot root, String relative, String path) throws IOException {
        try {
            return root.root().inRoot(relative);
        } catch (FileCallException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                throw new IsolaException(
                        "no such directory in " + root.what() + ": " + relative + " (of " + path + ")");
            }
            throw new IOException(root.what() + ": " + path + ": " + e.getMessage(), e);
        }
    }
}
