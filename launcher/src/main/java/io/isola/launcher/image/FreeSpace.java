package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bound on what an image, an archive or a container's files make isola write on the host. A
 * tar entry declares its size in its header, before its content: a layer of a few kilobytes can
 * declare a sparse file of a terabyte, and a gzip or zstd one a file of zeros a thousand times its
 * own size or more, which would fill the file system before the digest check could refuse the
 * layer. So an entry larger than what is free is refused at its header, naming it, and what is
 * free counts only what a user other than root may write: root's reserve (5% on ext4) stays for
 * the host's own services, never for an image. The free space is read again for every entry, so
 * the entries together are bounded too.
 */
final class FreeSpace {

    private FreeSpace() {}

    /** Refuses {@code bytes} of {@code entry} from {@code source} unless the file system of {@code dir} has them free. */
    static void require(DirectoryFd dir, long bytes, String source, String entry) throws IOException {
        check(bytes, dir.freeBytes(), source, entry, dir.path());
    }

    /** As {@link #require(DirectoryFd, long, String, String)}, for a directory of isola's own; {@code source} may be null. */
    static void require(Path dir, long bytes, String source, String entry) throws IOException {
        check(bytes, Files.getFileStore(dir).getUsableSpace(), source, entry, dir.toString());
    }

    private static void check(long bytes, long free, String source, String entry, String where) throws IOException {
        if (bytes > free) {
            throw new IOException((source == null ? "" : source + ": ") + "entry \"" + entry + "\" is "
                    + PullProgress.size(bytes) + " (" + bytes
                    + " bytes), more than the " + PullProgress.size(free) + " free on the file system of " + where
                    + " (what users other than root may write, the part isola may fill): free space there first");
        }
    }
}
