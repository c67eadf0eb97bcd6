package io.isola.ns.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Bytes a cgroup read from and wrote to block devices, summed over its devices, as docker stats
 * counts them: v2's {@code io.stat} ({@code 8:0 rbytes=N wbytes=N rios=N ...}), v1's
 * {@code blkio.throttle.io_service_bytes_recursive} ({@code 8:0 Read N}, {@code 8:0 Write N}; the
 * throttle files count every I/O whatever the scheduler, where CFQ's and BFQ's need theirs).
 * Zero where the file is absent (no io controller in the cgroup, no blkio hierarchy).
 */
record BlockIoStats(long read, long written) {

    static final BlockIoStats NONE = new BlockIoStats(0, 0);

    /** From a cgroup2 directory. */
    static BlockIoStats v2(Path dir) throws IOException {
        List<String> lines = linesOrNone(dir.resolve("io.stat"));
        long read = 0, written = 0;
        for (String line : lines) {
            for (String field : line.trim().split("\\s+")) {
                if (field.startsWith("rbytes=")) {
                    read += number(field.substring("rbytes=".length()));
                } else if (field.startsWith("wbytes=")) {
                    written += number(field.substring("wbytes=".length()));
                }
            }
        }
        return new BlockIoStats(read, written);
    }

    /** From a v1 blkio directory. */
    static BlockIoStats v1(Path dir) throws IOException {
        List<String> lines = linesOrNone(dir.resolve("blkio.throttle.io_service_bytes_recursive"));
        long read = 0, written = 0;
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            if (words.length != 3) {
                continue; // the closing "Total N", which sums every operation
            }
            if (words[1].equals("Read")) {
                read += number(words[2]);
            } else if (words[1].equals("Write")) {
                written += number(words[2]);
            }
        }
        return new BlockIoStats(read, written);
    }

    private static List<String> linesOrNone(Path file) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException absent) {
            return List.of();
        }
    }

    private static long number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0; // a kernel's new field of another form: not a byte count of ours
        }
    }
}
