package io.isola.launcher.image;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveStructSparse;

/**
 * A sparse tar entry (GNU's and PAX's formats) written as GNU tar writes it back: its data
 * regions at their offsets, the rest left as holes. The tar reader makes up the holes as zeros;
 * written out, a layer of a few kilobytes that declares a sparse file of a terabyte (a {@code
 * lastlog} of a large uid is a real one) would fill the disk, so they are skipped (the reader
 * skips them without producing them) and the file is only extended to its size.
 */
final class SparseFile {

    private static final int BUFFER = 1 << 16;

    private SparseFile() {}

    /** Writes {@code entry}'s content from {@code content} into {@code fd}, a new empty file; returns its size. */
    static long write(TarArchiveEntry entry, InputStream content, int fd) throws IOException {
        long data = 0;
        for (TarArchiveStructSparse region : entry.getOrderedSparseHeaders()) {
            data += region.getNumbytes();
        }
        if (data > entry.getSize()) {
            throw new IOException("entry \"" + entry.getName() + "\": its sparse map holds " + data
                    + " bytes of data, its header " + entry.getSize());
        }
        // the same inode, reopened: fd was created O_EXCL | O_NOFOLLOW, so no name is trusted here
        try (RandomAccessFile file = new RandomAccessFile("/proc/self/fd/" + fd, "rw")) {
            byte[] buffer = new byte[BUFFER];
            long at = 0;
            for (TarArchiveStructSparse region : entry.getOrderedSparseHeaders()) {
                skip(content, region.getOffset() - at, entry);
                file.seek(region.getOffset());
                copy(content, file, region.getNumbytes(), buffer, entry);
                at = region.getOffset() + region.getNumbytes();
            }
            skip(content, entry.getRealSize() - at, entry);
            file.setLength(entry.getRealSize());
        }
        return entry.getRealSize();
    }

    private static void skip(InputStream in, long bytes, TarArchiveEntry entry) throws IOException {
        for (long left = bytes; left > 0; ) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("entry \"" + entry.getName() + "\" ends before its size");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static void copy(InputStream in, RandomAccessFile out, long bytes, byte[] buffer, TarArchiveEntry entry)
            throws IOException {
        for (long left = bytes; left > 0; ) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new EOFException("entry \"" + entry.getName() + "\" ends before its size");
            }
            out.write(buffer, 0, read);
            left -= read;
        }
    }
}
