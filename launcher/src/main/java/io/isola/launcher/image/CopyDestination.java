package io.isola.launcher.image;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.FileCallException;
import io.isola.launcher.image.LayerExtractor.CopyRules;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where {@code isola cp} writes, by docker cp's rules: into an existing directory under the
 * source's name (its contents only for "SRC/."); to a new name when the path does not exist (its
 * directory must); over an existing file with a file, never with a directory. The path is
 * resolved inside its root like a source's; the tar is written below that directory only, no
 * link followed ({@link LayerExtractor}).
 */
final class CopyDestination {

    private CopyDestination() {}

    /**
     * Writes {@code tar}, whose top entry is {@code topName} ("." for a directory's contents,
     * null for an archive from stdin, which goes into the directory as it is).
     */
    static void write(CopyRoot root, String path, InputStream tar, String topName, boolean directory, boolean archive)
            throws IOException {
        CopyPath where = CopyPath.of(path);
        String to = where.name() == null ? where.parent() : where.parent() + where.name();
        int[] owner = archive ? null : root.owner();
        boolean dropSetIds = !archive && root.isHost();
        String source = "copy to " + path + " in " + root.what();
        try (DirectoryFd dir = root.root().inRoot(to)) {
            String keep = topName == null || topName.equals(".") ? "." : topName;
            LayerExtractor.copy(tar, dir, source, new CopyRules(topName, keep, owner, dropSetIds));
            return;
        } catch (FileCallException e) {
            if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENOTDIR) {
                throw new IOException(source + ": " + e.getMessage(), e);
            }
            if (topName == null) {
                throw new IsolaException("destination " + path + " in " + root.what() + " must be an existing directory"
                        + " to extract an archive into");
            }
            if (e.errno() == Errno.ENOTDIR && directory && exists(root, to)) {
                throw new IsolaException(
                        "cannot copy a directory to a file: " + path + " in " + root.what() + " is a file");
            }
            if (where.directoryOnly() && !directory) {
                throw new IsolaException("destination directory " + path + " in " + root.what() + " must exist");
            }
        }
        if (where.name() == null) {
            throw new IsolaException("destination " + path + " in " + root.what() + " is not a directory");
        }
        try (DirectoryFd parent = CopyPath.directory(root, where.parent(), path)) {
            LayerExtractor.copy(tar, parent, source, new CopyRules(topName, where.name(), owner, dropSetIds));
        }
    }

    /** Whether {@code path} names something that is not a directory (a file, a link to one). */
    private static boolean exists(CopyRoot root, String path) throws IOException {
        CopyPath where = CopyPath.of(path);
        if (where.name() == null) {
            return false;
        }
        try (DirectoryFd parent = root.root().inRoot(where.parent())) {
            return parent.stat(where.name()).isPresent();
        } catch (FileCallException e) {
            return false;
        }
    }
}
