package io.isola.internal.nativ;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A process's start time: field 22 of {@code /proc/<pid>/stat}, clock ticks after boot. No later
 * process with the same pid can share it, so a pid and its start time name one process.
 */
public final class ProcessStartTime {

    /** starttime: field 22 of the stat line. */
    private static final int START_TIME_FIELD = 22;
    /** A stat line: 52 fields of at most 20 digits and a 16-byte name stay well below it. */
    private static final int STAT_LIMIT = 4096;

    private ProcessStartTime() {}

    /**
     * The start time of {@code pid}, or -1 if the process does not exist or is a zombie. Read below
     * the host's procfs handle ({@link HostProc#read}, one kept for the process's life, so no mount
     * per read): a file bound on the plain /proc/PID/stat of a process that took a container's pid
     * (a container with a shared bind of the host's /proc can mount one) could show the ended
     * container's start time, and kill would signal the host process, exec would join it. The
     * fields after the command name are scanned, not split: this runs on every container start.
     */
    public static long of(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            return parse(new String(HostProc.read(pid + "/stat", STAT_LIMIT), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return -1;
        }
    }

    /** From a stat line: the start time, or -1 for a zombie or a line cut short. */
    private static long parse(String stat) {
        try {
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
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
