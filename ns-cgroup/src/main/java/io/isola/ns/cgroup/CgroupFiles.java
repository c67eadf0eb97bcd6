package io.isola.ns.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads and writes of cgroupfs files, with errors that name the file and the value. */
final class CgroupFiles {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupFiles.class);

    private CgroupFiles() {}

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    static long readLong(Path file) throws IOException {
        return Long.parseLong(read(file));
    }

    /** A limit file: "max" (v2) or a huge number (v1's unlimited) is -1. */
    static long readLimit(Path file) throws IOException {
        String text = read(file);
        if (text.equals("max")) {
            return -1;
        }
        long value = Long.parseLong(text);
        return value >= (Long.MAX_VALUE >> 1) ? -1 : value;
    }

    /** Files of {@code key value} lines, such as memory.events and cpu.stat. */
    static Map<String, Long> readKeyed(Path file) throws IOException {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                try {
                    values.put(parts[0], Long.parseLong(parts[1]));
                } catch (NumberFormatException e) {
                    // not a counter (v1 oom_control has only numbers; be lenient with others)
                }
            }
        }
        return values;
    }

    /** The pids listed in a cgroup.procs file; none when the cgroup is gone. */
    static List<Long> readPids(Path procs) throws IOException {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procs, StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (NoSuchFileException gone) {
            return List.of();
        }
        return pids;
    }

    /** Writes {@code value} in one write(2), as cgroupfs wants; the error names file and value. */
    static void write(Path file, String value) throws IOException {
        LOG.debug("write {} to {}", value, file);
        try {
            Files.write(
                    file,
                    value.getBytes(StandardCharsets.US_ASCII),
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            String reason = e instanceof FileSystemException fs && fs.getReason() != null
                    ? fs.getReason()
                    : e instanceof NoSuchFileException ? "no such file" : e.getMessage();
            String message = "cannot write \"" + value + "\" to " + file + ": " + reason;
            // the cgroup was removed: before the open (ENOENT) or between the open and the write (ENODEV)
            if (e instanceof NoSuchFileException || "No such device".equals(e.getMessage())) {
                throw new CgroupGoneException(file, message, e);
            }
            throw new IOException(message, e);
        }
    }

    /** A write into a cgroup that is gone: a NoSuchFileException, so that creation can start again. */
    static final class CgroupGoneException extends NoSuchFileException {
        private static final long serialVersionUID = 1L;
        private final String message;

        CgroupGoneException(Path file, String message, IOException cause) {
            super(file.toString());
            this.message = message;
            initCause(cause);
        }

        @Override
        public String getMessage() {
            return message;
        }
    }

    /** mkdir; false when the directory already existed. */
    static boolean mkdir(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
            LOG.debug("created cgroup {}", dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** rmdir; true when the directory is gone (also when it never existed). */
    static boolean rmdir(Path dir) {
        try {
            Files.deleteIfExists(dir);
            LOG.debug("removed cgroup {}", dir);
            return true;
        } catch (IOException e) {
            LOG.debug("cannot remove cgroup {}: {}", dir, e.toString());
            return false;
        }
    }
}
