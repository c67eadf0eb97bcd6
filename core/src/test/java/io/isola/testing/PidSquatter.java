package io.isola.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A host process started so that it gets a pid that an ended process had: the kernel hands out
 * pids in order from {@code ns_last_pid}, which root may set. Other processes of the machine may
 * take the pid first, so it is tried a bounded number of times; a test is skipped, with the reason,
 * where the pid could not be had.
 */
public final class PidSquatter {

    private static final Path LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");
    private static final int ATTEMPTS = 50;

    private PidSquatter() {}

    /** A {@code sleep} on the host, in the runtime's namespaces, whose pid is {@code pid}; the caller destroys it. */
    public static Process take(long pid) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Files.writeString(LAST_PID, Long.toString(pid - 1), StandardCharsets.US_ASCII);
            Process process = new ProcessBuilder("sleep", "60")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (process.pid() == pid) {
                return process;
            }
            process.destroyForcibly();
        }
        Assumptions.abort("pid " + pid + " was taken by other processes " + ATTEMPTS + " times over");
        return null;
    }
}
