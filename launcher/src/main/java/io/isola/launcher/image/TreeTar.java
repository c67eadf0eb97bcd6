package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileStat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes files of a host directory tree into a tar as a layer or a root file system holds them:
 * owner, mode (setuid bits too), modification time, symbolic links, hard links (a file seen again
 * by device and inode), character and block devices and fifos. Names are relative, without a
 * leading "./", as {@code docker export} writes them; long names and big ids use PAX headers.
 */
final class TreeTar implements AutoCloseable {

    private final TarArchiveOutputStream tar;
    private final Map<String, String> seen = new HashMap<>(); // "dev:ino" of files with several links -> first name

    TreeTar(OutputStream out) {
        this.tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /**
     * Adds the entry {@code child} of {@code dir}, as {@code stat} (taken without following a
     * link) describes it, as {@code name}; sockets, which no archive holds, are skipped. A
     * regular file's content is read through a descriptor of that same inode: a container that
     * swaps it for a link meanwhile gets an error, never a host file in its archive.
     */
    void add(String name, DirectoryFd dir, String child, FileStat stat) throws IOException {
        int type = stat.type();
        TarArchiveEntry entry;
        switch (type) {
            case FileStat.S_IFDIR -> entry = new TarArchiveEntry(name + "/", TarArchiveEntry.LF_DIR, true);
            case FileStat.S_IFLNK -> {
                entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
                entry.setLinkName(dir.readLink(child));
            }
            case FileStat.S_IFREG -> {
                String key = stat.dev() + ":" + stat.ino();
                String first = stat.nlink() > 1 ? seen.putIfAbsent(key, name) : null;
                if (first != null) {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
                    entry.setLinkName(first);
                } else {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, true);
                    entry.setSize(stat.size());
                }
            }
            case FileStat.S_IFCHR, FileStat.S_IFBLK -> {
                entry = new TarArchiveEntry(
                        name, type == FileStat.S_IFCHR ? TarArchiveEntry.LF_CHR : TarArchiveEntry.LF_BLK, true);
                entry.setDevMajor(stat.rdevMajor());
                entry.setDevMinor(stat.rdevMinor());
            }
            case FileStat.S_IFIFO -> entry = new TarArchiveEntry(name, TarArchiveEntry.LF_FIFO, true);
            default -> {
                return;
            }
        }
        entry.setMode(type | (stat.mode() & 07777));
        entry.setUserId(Integer.toUnsignedLong(stat.uid()));
        entry.setGroupId(Integer.toUnsignedLong(stat.gid()));
        entry.setModTime(
                FileTime.from(stat.mtimeSeconds() * 1000 + stat.mtimeNanos() / 1_000_000, TimeUnit.MILLISECONDS));
        if (entry.isFile() && !entry.isLink() && entry.getSize() > 0) {
            try (InputStream in = dir.readFile(child, stat)) {
                tar.putArchiveEntry(entry);
                long copied = in.transferTo(new BoundedOutput(tar, entry.getSize()));
                if (copied < entry.getSize()) {
                    throw new IOException(dir.path() + "/" + child + " shrank while it was archived");
                }
            }
        } else {
            tar.putArchiveEntry(entry);
        }
        tar.closeArchiveEntry();
    }

    /** An empty regular file entry: an OCI whiteout ({@code .wh.NAME}) or opaque marker. */
    void marker(String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, true);
        entry.setMode(FileStat.S_IFREG);
        entry.setModTime(0);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
    }

    @Override
    public void close() throws IOException {
        tar.finish();
        tar.flush();
    }

    /** Passes at most {@code limit} bytes on, so that a file that grew meanwhile cannot overrun its entry. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        BoundedOutput(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (left > 0) {
                out.write(b);
                left--;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = (int) Math.min(len, left);
            if (n > 0) {
                out.write(b, off, n);
                left -= n;
            }
        }
    }
}
