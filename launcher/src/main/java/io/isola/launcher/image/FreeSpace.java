package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileSystemSpace;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
 * the entries together are bounded too. Files are bounded the same way: a layer of a few kilobytes
 * can hold a hundred thousand empty files, directories or hard links, and a file system out of
 * inodes takes no new file from anyone, root included. The kernel keeps no inodes for root, so
 * isola leaves {@value #INODE_RESERVE_PERCENT}% of them free, the share of its blocks ext4 keeps
 * for root by default.
 */
final class FreeSpace {

    static final int INODE_RESERVE_PERCENT = 5;

    private FreeSpace() {}

    /** Refuses {@code bytes} of {@code entry} from {@code source} unless the file system of {@code dir} has them free. */
    static void require(DirectoryFd dir, long bytes, String source, String entry) throws IOException {
        check(bytes, dir.space().freeBytes(), source, entry, dir.path());
    }

    /**
     * Refuses {@code entry} from {@code source}, which may make up to {@code files} new files on
     * the file system of {@code dir} (itself, and the directories on its way where they are
     * missing), unless that many are free there beyond isola's reserve; {@code source} may be null.
     */
    static void requireFiles(DirectoryFd dir, long files, String source, String entry) throws IOException {
        FileSystemSpace space = dir.space();
        if (space.inodes() <= 0) {
            return; // a file system that sets no number of files (btrfs): only its bytes bound them
        }
        long reserve = space.inodes() * INODE_RESERVE_PERCENT / 100;
        if (files > space.freeInodes() - reserve) {
            throw new IOException((source == null ? "" : source + ": ") + "entry \"" + entry + "\" needs up to "
                    + files + (files == 1 ? " file" : " files") + " (inodes) more, and " + space.freeInodes()
                    + " of the " + space.inodes() + " the file system of " + dir.path() + " holds are free, of which"
                    + " isola leaves " + reserve + " (" + INODE_RESERVE_PERCENT + "%) for the host: free some there"
                    + " first");
        }
    }

    /** As {@link #requireFiles(DirectoryFd, long, String, String)}, for a directory of isola's own. */
    static void requireFiles(Path dir, long files, String source, String entry) throws IOException {
        try (DirectoryFd open = DirectoryFd.open(dir)) {
            requireFiles(open, files, source, entry);
        }
    }

    /** As {@link #require(DirectoryFd, long, String, String)}, for a directory of isola's own; {@code source} may be null. */
    static void require(Path dir, long bytes, String source, String entry) throws IOException {
        check(bytes, Files.getFileStore(dir).getUsableSpace(), source, entry, dir.toString());
    }

    /**
     * {@code out}, a file in {@code dir}, refusing to grow past what is free there: for an archive
     * of a container's files (a commit's layer, a volume's seed), where a sparse file of a terabyte
     * that takes no space in the container is written out whole. {@code what} starts the error.
     */
    static OutputStream limited(OutputStream out, Path dir, String what) {
        return new FilterOutputStream(out) {
            private long allowed = -1; // what may still be written before the free space is read again

            @Override
            public void write(int b) throws IOException {
                take(1);
                out.write(b);
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                take(length);
                out.write(buffer, offset, length);
            }

            private void take(long bytes) throws IOException {
                if (bytes > allowed) {
                    allowed = Files.getFileStore(dir).getUsableSpace(); // others may have freed some meanwhile
                    if (bytes > allowed) {
                        throw new IOException(what + " outgrew the " + PullProgress.size(allowed)
                                + " free on the file system of " + dir
                                + " (what users other than root may write, the part isola may fill): free space there"
                                + " first");
                    }
                }
                allowed -= bytes;
            }
        };
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
