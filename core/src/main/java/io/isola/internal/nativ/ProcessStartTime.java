package io.isola.internal.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's start time: field 22 of {@code /proc/<pid>/stat}, clock ticks after boot. No later
 * process with the same pid can share it, so a pid and its start time name one process.
 */
public final class ProcessStartTime {

    /** starttime: field 22 of the stat line. */
    private static final int START_TIME_FIELD = 22;

    private ProcessStartTime() {}

    /**
     * The start time of {@code pid}, or -1 if the process does not exist or is a zombie. Read as a
     * stream: Files.readString can return a procfs file short, which would make a live process
     * look dead. The fields after the command name are scanned, not split: this runs on every
     * container start.
     */
    public static long of(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "stat"))) {
            String stat = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            // the command name (field 2) may hold spaces and parentheses: count from the last ')'
            int at = stat.lastIndexOf(')') + 2;
            char state = stat.charAt(at);
            if (state == 'Z' || state == 'X') {
                return -1;
            }
            for (int field = 3; field < START_TIME_FIELD; field++) {
                at = stat.indexOf(' ', at) + 1;
                if (at == 0) {
                    return -1;
                }
            }
            int end = stat.indexOf(' ', at);
            return Long.parseLong(stat, at, end < 0 ? stat.length() : end, 10);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
