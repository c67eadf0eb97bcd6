package io.isola.ns.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Identifies processes across time: a pid plus the process's start time (clock ticks after boot,
 * field 22 of {@code /proc/<pid>/stat}), so that a pid the kernel has reused is not mistaken for
 * the process recorded in a state file.
 */
final class Processes {

    /** starttime is field 22 of the stat line, the 20th after the state (field 3). */
    private static final int START_TIME_FIELD = 19;

    private Processes() {}

    /** This JVM's start time, read once: every container's state records it. */
    private static volatile long selfStartTime = -1;

    /** The start time of {@code pid}, or -1 when there is no such process (or only its zombie). */
    static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) is in parentheses and may itself contain spaces and ')';
            // the fields after it are scanned, not split: this runs on every container start
            int at = stat.lastIndexOf(')') + 2;
            char state = stat.charAt(at);
            if (state == 'Z' || state == 'X') {
                return -1;
            }
            for (int field = 0; field < START_TIME_FIELD; field++) {
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

    /** {@link #startTime} of this JVM. */
    static long selfStartTime() {
        long value = selfStartTime;
        if (value < 0) {
            value = startTime(self());
            selfStartTime = value;
        }
        return value;
    }

    /** Whether the process recorded as ({@code pid}, {@code startTime}) still runs. */
    static boolean alive(long pid, long startTime) {
        return pid > 0 && startTime >= 0 && startTime(pid) == startTime;
    }

    static long self() {
        return ProcessHandle.current().pid();
    }
}
