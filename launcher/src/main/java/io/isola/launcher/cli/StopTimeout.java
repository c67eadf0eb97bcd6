package io.isola.launcher.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code -t N} of {@code stop} and {@code restart}: seconds between the stop signal and SIGKILL. */
final class StopTimeout {

    @Option(
            names = {"-t", "--time"},
            paramLabel = "N",
            description =
                    "Seconds to wait after the stop signal before SIGKILL (default: the container's --stop-timeout, else 10).")
    private Integer seconds;

    /** The timeout asked for, or null for the container's own. */
    Duration duration() {
        if (seconds == null) {
            return null;
        }
        if (seconds < 0) {
            throw new IllegalArgumentException("timeout " + seconds + ": expected 0 or more seconds");
        }
        return Duration.ofSeconds(seconds);
    }
}
