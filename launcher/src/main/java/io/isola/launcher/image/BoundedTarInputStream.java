package io.isola.launcher.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A tar reader that refuses oversized metadata before holding it. commons-compress reads a PAX
 * header or a GNU long name entirely into memory, through this stream's {@code read}, while that
 * header is the current entry; a gzip-compressed archive of a few kilobytes can declare one of
 * gigabytes. Real headers are a few hundred bytes: 1 MiB is far above any of them.
 */
final class BoundedTarInputStream extends TarArchiveInputStream {

    static final long MAX_METADATA_BYTES = 1 << 20;

    BoundedTarInputStream(InputStream in) {
        super(in, StandardCharsets.UTF_8.name());
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        TarArchiveEntry current = getCurrentEntry();
        if (current != null && isMetadata(current) && current.getSize() > MAX_METADATA_BYTES) {
            throw new IOException(
                    "a tar " + (current.isPaxHeader() || current.isGlobalPaxHeader() ? "PAX header" : "long-name entry")
                            + " of " + current.getSize() + " bytes; at most " + MAX_METADATA_BYTES + " are allowed");
        }
        return super.read(buffer, offset, length);
    }

    private static boolean isMetadata(TarArchiveEntry entry) {
        return entry.isPaxHeader()
                || entry.isGlobalPaxHeader()
                || entry.isGNULongNameEntry()
                || entry.isGNULongLinkEntry();
    }

    /**
     * A regular file's entry. {@link TarArchiveEntry#isFile()} also says yes for devices, fifos and
     * links (anything not a directory), so the type is asked first.
     */
    static boolean isRegularFile(TarArchiveEntry entry) {
        return !entry.isDirectory()
                && !entry.isSymbolicLink()
                && !entry.isLink()
                && !entry.isCharacterDevice()
                && !entry.isBlockDevice()
                && !entry.isFIFO()
                && !isMetadata(entry)
                && entry.isFile();
    }
}
