package io.isola.launcher.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes files of a host directory tree into a tar as a layer or a root file system holds them:
 * owner, mode (setuid bits too), modification time, symbolic links, hard links (a file seen again
 * by device and inode), character and block devices and fifos. Names are relative, without a
 * leading "./", as {@code docker export} writes them; long names and big ids use PAX headers.
 */
final class TreeTar implements AutoCloseable {

    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFBLK = 0060000,
            S_IFIFO = 0010000, S_IFLNK = 0120000, S_IFREG = 0100000;

    private final TarArchiveOutputStream tar;
    private final Map<String, String> seen = new HashMap<>(); // "dev:ino" of files with several links -> first name

    TreeTar(OutputStream out) {
        this.tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** Adds {@code file} as {@code name}; sockets, which no archive holds, are skipped. */
    void add(String name, Path file) throws IOException {
        Map<String, Object> unix = Files.readAttributes(file, "unix:mode,uid,gid,rdev,ino,dev,nlink,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) unix.get("mode");
        int type = mode & S_IFMT;
        TarArchiveEntry entry;
        switch (type) {
            case S_IFDIR -> entry = new TarArchiveEntry(name + "/", TarArchiveEntry.LF_DIR, true);
            case S_IFLNK -> {
                entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
                entry.setLinkName(Files.readSymbolicLink(file).toString());
            }
            case S_IFREG -> {
                String key = unix.get("dev") + ":" + unix.get("ino");
                String first = (Integer) unix.get("nlink") > 1 ? seen.putIfAbsent(key, name) : null;
                if (first != null) {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK, true);
                    entry.setLinkName(first);
                } else {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, true);
                    entry.setSize(Files.size(file));
                }
            }
            case S_IFCHR, S_IFBLK -> {
                entry = new TarArchiveEntry(name, type == S_IFCHR ? TarArchiveEntry.LF_CHR : TarArchiveEntry.LF_BLK, true);
                long rdev = (Long) unix.get("rdev");
                // glibc's encoding of dev_t
                entry.setDevMajor((int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL)));
                entry.setDevMinor((int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL)));
            }
            case S_IFIFO -> entry = new TarArchiveEntry(name, TarArchiveEntry.LF_FIFO, true);
            default -> {
                return;
            }
        }
        entry.setMode(type | (mode & 07777));
        entry.setUserId(((Integer) unix.get("uid")).longValue());
        entry.setGroupId(((Integer) unix.get("gid")).longValue());
        entry.setModTime((java.nio.file.attribute.FileTime) unix.get("lastModifiedTime"));
        tar.putArchiveEntry(entry);
        if (entry.isFile() && !entry.isLink() && entry.getSize() > 0) {
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                long copied = in.transferTo(new BoundedOutput(tar, entry.getSize()));
                if (copied != entry.getSize()) {
                    throw new IOException(file + " changed size while it was archived");
                }
            }
        }
        tar.closeArchiveEntry();
    }

    /** An empty regular file entry: an OCI whiteout ({@code .wh.NAME}) or opaque marker. */
    void marker(String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, true);
        entry.setMode(S_IFREG);
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
