package io.isola.launcher.image;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.FileCallException;
import io.isola.internal.nativ.FileStat;
import java.io.IOException;
import java.io.OutputStream;

/**
 * What {@code isola cp} copies: the entry a source path names, resolved inside its root with
 * links followed on the way ({@link DirectoryFd#inRoot}) but the last component taken as it is (a
 * link is copied as a link, as docker cp does without -L). A path ending in "/." names a
 * directory's contents, "/" a directory only. Written as a tar whose top entry is the entry's own
 * name, as docker cp's archives are.
 */
final class CopySource implements AutoCloseable {

    private final DirectoryFd parent; // the directory holding the entry, or the directory itself when name is null
    private final String name;
    private final FileStat stat;
    private final boolean contents;

    private CopySource(DirectoryFd parent, String name, FileStat stat, boolean contents) {
        this.parent = parent;
        this.name = name;
        this.stat = stat;
        this.contents = contents;
    }

    static CopySource resolve(CopyRoot root, String path) throws IOException {
        CopyPath where = CopyPath.of(path);
        if (where.name() == null) { // "/", "/." or one ending in "..": a directory's contents
            DirectoryFd dir = CopyPath.directory(root, where.parent(), path);
            return new CopySource(dir, null, dir.stat(), true);
        }
        DirectoryFd parent = CopyPath.directory(root, where.parent(), path);
        try {
            FileStat stat = parent.stat(where.name())
                    .orElseThrow(() -> new IsolaException("no such file or directory in " + root.what() + ": " + path));
            if ((where.directoryOnly() || where.contents()) && !stat.isDirectory()) {
                throw new IsolaException(path + " in " + root.what() + " is not a directory");
            }
            if (where.contents()) {
                DirectoryFd dir = parent.directory(where.name());
                parent.close();
                return new CopySource(dir, null, stat, true);
            }
            return new CopySource(parent, where.name(), stat, false);
        } catch (IOException | RuntimeException e) {
            parent.close();
            throw e;
        }
    }

    boolean isDirectory() {
        return stat.isDirectory();
    }

    /** Whether only a directory's contents are copied ("/." or the root). */
    boolean contents() {
        return contents;
    }

    /** The name of the tar's top entry: the entry's own, "." for a directory's contents. */
    String topName() {
        return contents ? "." : name;
    }

    /** Writes the tar to {@code out} (not closed). */
    void write(OutputStream out) throws IOException {
        try (TreeTar tar = new TreeTar(out)) {
            if (contents) {
                tar.add(
                        ".", parent, ".",
                        stat); // the top directory's own mode and owner: a directory entry reads nothing
                ContainerFiles.directory(".", parent, tar);
                return;
            }
            tar.add(name, parent, name, stat);
            if (stat.isDirectory()) {
                try (DirectoryFd dir = parent.directory(name)) {
                    ContainerFiles.directory(name, dir, tar);
                }
            }
        } catch (FileCallException e) {
            if (e.errno() == Errno.ELOOP) {
                throw new IOException(
                        "a directory of " + topName() + " was swapped for a link while it was copied: "
                                + e.getMessage(),
                        e);
            }
            throw e;
        }
    }

    @Override
    public void close() {
        parent.close();
    }
}
