package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.lifecycle.SavedRoot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers and archives that would fill the host's disk from a few kilobytes: a tar entry declares
 * its size before its content, a sparse one a size its content does not hold, and a gzip or zstd
 * stream of zeros is a thousandth of what it inflates to. Each runs against an 8 MiB tmpfs (so
 * the old code filled that, not the machine's disk): an entry larger than what is free is refused
 * at its header, naming it, and a sparse file is written with its holes.
 */
class DiskBombTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void anEntryLargerThanWhatIsFreeIsRefusedAtItsHeaderBeforeItsContentIsWritten() throws Exception {
        try (SmallTmpfs small = SmallTmpfs.mount(tmp.resolve("small"), 8)) {
            Path layer = Files.createDirectories(small.path().resolve("layer"));
            TarArchiveEntry zeros = new TarArchiveEntry("var/zeros", TarArchiveEntry.LF_NORMAL, true);
            zeros.setMode(0100644);
            zeros.setSize(64L * MIB);
            Counting in = new Counting(entryOfZeros(zeros));

            String message = assertThrows(IOException.class, () -> LayerExtractor.extract(in, layer, "test"))
                    .getMessage();

            assertTrue(message.contains("\"var/zeros\"") && message.contains("free"), message);
            assertTrue(in.read < MIB, "refused at the header: " + in.read + " bytes of the tar were read");
            assertFalse(Files.exists(layer.resolve("var/zeros")));
        }
    }

    @Test
    void aSparseEntryIsWrittenWithItsHolesNotAsZeros() throws Exception {
        try (SmallTmpfs small = SmallTmpfs.mount(tmp.resolve("small"), 8)) {
            Path layer = Files.createDirectories(small.path().resolve("layer"));
            long size = 1L << 30; // a gibibyte on a file system of 8 MiB, from a tar of 3 KiB
            byte[] tar = sparse("var/log/lastlog", size, 4096, "abc", size - 2, "de");
            long freeBefore = small.free();

            LayerExtractor.extract(new ByteArrayInputStream(tar), layer, "test");

            Path file = layer.resolve("var/log/lastlog");
            assertEquals(size, Files.size(file));
            try (RandomAccessFile read = new RandomAccessFile(file.toFile(), "r")) {
                assertArrayEquals(new byte[] {0, 'a', 'b', 'c', 0}, at(read, 4095, 5));
                assertArrayEquals(new byte[] {0, 'd', 'e'}, at(read, size - 3, 3));
            }
            assertTrue(freeBefore - small.free() < MIB, "space taken: " + (freeBefore - small.free()));
        }
    }

    @Test
    void anImportArchiveWhoseEntryIsLargerThanWhatIsFreeIsRefusedAndLeavesNothing() throws Exception {
        Path archive = tmp.resolve("bomb.tar.gz");
        try (OutputStream file = Files.newOutputStream(archive);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
            TarArchiveEntry junk = new TarArchiveEntry("blobs/junk", TarArchiveEntry.LF_NORMAL, true);
            junk.setSize(64L * MIB);
            tar.putArchiveEntry(junk);
            byte[] block = new byte[MIB];
            for (int i = 0; i < 64; i++) {
                tar.write(block); // 64 KiB compressed
            }
            tar.closeArchiveEntry();
        }
        try (SmallTmpfs small = SmallTmpfs.mount(tmp.resolve("store"), 8)) {
            String message = refusedImportLeavingNothing(small, archive, "bomb");

            assertTrue(message.contains("\"blobs/junk\"") && message.contains("free"), message);
        }
    }

    @Test
    void aCommitOfASparseFileLargerThanWhatIsFreeIsRefusedAndLeavesNothing() throws Exception {
        Path upper = Files.createDirectories(tmp.resolve("container/upper"));
        try (RandomAccessFile big = new RandomAccessFile(upper.resolve("big").toFile(), "rw")) {
            big.setLength(1L << 30); // `truncate -s 1G` in the container: no space taken there
        }
        try (SmallTmpfs small = SmallTmpfs.mount(tmp.resolve("store"), 8)) {
            ImageStore store = new ImageStore(small.path()).secure(true);
            Path base = Files.createDirectories(store.layer("sha256:" + "a".repeat(64)));
            SavedRoot root = new SavedRoot(
                    null, null, List.of(base.toString()), upper.getParent().toString());

            String message = assertThrows(
                            IOException.class, () -> new ContainerCommit(store).commit("c1", root, "bomb"))
                    .getMessage();

            assertTrue(message.contains("container c1") && message.contains("free"), message);
            try (Stream<Path> left = Files.list(small.path().resolve("tmp"))) {
                assertEquals(List.of(), left.toList());
            }
        }
    }

    @Test
    void aSavedLayerWithASparseFileLargerThanWhatIsFreeIsRefused() throws Exception {
        try (SmallTmpfs small = SmallTmpfs.mount(tmp.resolve("store"), 8)) {
            ImageStore store = new ImageStore(small.path()).secure(true);
            String diffId = "sha256:" + "b".repeat(64);
            Path layer = Files.createDirectories(store.layer(diffId));
            try (RandomAccessFile big =
                    new RandomAccessFile(layer.resolve("lastlog").toFile(), "rw")) {
                big.setLength(1L << 30); // as a sparse entry is now stored: holes
            }

            String message = assertThrows(
                            IOException.class,
                            () -> ImageSaver.writeLayer(
                                    store, diffId, small.path().resolve("tmp/layer.tar"), false))
                    .getMessage();

            assertTrue(message.contains(diffId) && message.contains("free"), message);
        }
    }

    /**
     * A layer of a few hundred kilobytes that holds thousands of empty files and hard links takes
     * every inode of a file system (a hard link takes one on tmpfs, where each name is one), and then
     * nobody, root included, can make a file there: refused at the entry that would take the
     * reserve, naming it.
     */
    @Test
    void aLayerOfManyEmptyFilesAndHardLinksIsRefusedBeforeItTakesTheLastInodes() throws Exception {
        try (SmallTmpfs small = SmallTmpfs.mount(tmp.resolve("small"), 8, 1000)) {
            Path layer = Files.createDirectories(small.path().resolve("layer"));
            byte[] tar = emptyFilesAndLinks(3000);

            String message = assertThrows(
                            IOException.class,
                            () -> LayerExtractor.extract(new ByteArrayInputStream(tar), layer, "test"))
                    .getMessage();

            assertTrue(message.startsWith("layer test: entry \"d/") && message.contains("inodes"), message);
            assertTrue(
                    small.freeInodes() >= 1000 * FreeSpace.INODE_RESERVE_PERCENT / 100,
                    "inodes left: " + small.freeInodes());
        }
    }

    @Test
    void anImportArchiveOfManyEmptyFilesIsRefusedBeforeItTakesTheLastInodesAndLeavesNothing() throws Exception {
        Path archive = tmp.resolve("many.tar");
        Files.write(archive, emptyFilesAndLinks(3000));
        try (SmallTmpfs small = SmallTmpfs.mount(tmp.resolve("store"), 8, 1000)) {
            String message = refusedImportLeavingNothing(small, archive, "many");

            assertTrue(message.contains("entry \"d/") && message.contains("inodes"), message);
        }
    }

    /** The message of the import of {@code archive} into a store on {@code small}, refused, its scratch left empty. */
    private static String refusedImportLeavingNothing(SmallTmpfs small, Path archive, String name) throws IOException {
        ImageStore store = new ImageStore(small.path());
        String message = assertThrows(
                        IllegalArgumentException.class,
                        () -> new ImageImporter(store, ImportProgress.QUIET).importFile(archive, name))
                .getMessage();
        try (Stream<Path> left = Files.list(small.path().resolve("tmp"))) {
            assertEquals(List.of(), left.toList());
        }
        return message;
    }

    /** A directory "d" of {@code count} empty files, every other one a hard link to the first. */
    private static byte[] emptyFilesAndLinks(int count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.putArchiveEntry(new TarArchiveEntry("d/"));
            tar.closeArchiveEntry();
            for (int i = 0; i < count; i++) {
                TarArchiveEntry entry = i % 2 == 1
                        ? new TarArchiveEntry("d/l" + i, TarArchiveEntry.LF_LINK)
                        : new TarArchiveEntry("d/f" + i);
                if (i % 2 == 1) {
                    entry.setLinkName("d/f0");
                }
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    // --- hand-made tars

    /** The header of {@code entry}, then as many zeros as it declares, made as they are read, then the tar's end. */
    private static InputStream entryOfZeros(TarArchiveEntry entry) {
        byte[] header = new byte[512];
        entry.writeEntryHeader(header);
        InputStream zeros = new InputStream() {
            private long left = entry.getSize() + 1024; // the content, then two empty blocks: the end

            @Override
            public int read() {
                return left-- > 0 ? 0 : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(length, left);
                Arrays.fill(buffer, offset, offset + n, (byte) 0);
                left -= n;
                return n;
            }
        };
        return new SequenceInputStream(new ByteArrayInputStream(header), zeros);
    }

    /** A GNU sparse file (PAX format 0.1, as GNU tar writes it) of {@code size} bytes, with two regions of data. */
    private static byte[] sparse(String name, long size, long at1, String data1, long at2, String data2)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            byte[] pax = (record("GNU.sparse.major", "0")
                            + record("GNU.sparse.minor", "1")
                            + record("GNU.sparse.name", name)
                            + record("GNU.sparse.size", Long.toString(size))
                            + record("GNU.sparse.numblocks", "2")
                            + record("GNU.sparse.map", at1 + "," + data1.length() + "," + at2 + "," + data2.length()))
                    .getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry header = new TarArchiveEntry("PaxHeaders/x", TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC);
            header.setSize(pax.length);
            tar.putArchiveEntry(header);
            tar.write(pax);
            tar.closeArchiveEntry();
            byte[] data = (data1 + data2).getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry file = new TarArchiveEntry(name, TarArchiveEntry.LF_NORMAL, true);
            file.setMode(0100644);
            file.setSize(data.length);
            tar.putArchiveEntry(file);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static String record(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int length = body.length();
        while (Integer.toString(length).length() + body.length() != length) {
            length = Integer.toString(length).length() + body.length();
        }
        return length + body;
    }

    private static byte[] at(RandomAccessFile file, long offset, int length) throws IOException {
        byte[] bytes = new byte[length];
        file.seek(offset);
        file.readFully(bytes);
        return bytes;
    }

    /** Counts what the extractor read. */
    private static final class Counting extends FilterInputStream {
        long read;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            read += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            read += Math.max(n, 0);
            return n;
        }
    }
}
