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

    private Processes() {}

    /** The start time of {@code pid}, or -1 when there is no such process (or only its zombie). */
    static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) is in parentheses and may itself contain spaces and ')'
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (fields[0].equals("Z") || fields[0].equals("X")) {
                return -1;
            }
            return Long.parseLong(fields[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether the process recorded as ({@code pid}, {@code startTime}) still runs. */
    static boolean alive(long pid, long startTime) {
        return pid > 0 && startTime >= 0 && startTime(pid) == startTime;
    }

    static long self() {
        return ProcessHandle.current().pid();
    }
}
