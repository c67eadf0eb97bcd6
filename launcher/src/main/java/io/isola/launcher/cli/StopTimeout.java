package io.isola.launcher.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code -t N} of {@code stop} and {@code restart}: seconds between SIGTERM and SIGKILL. */
final class StopTimeout {

    @Option(names = {"-t", "--time"}, paramLabel = "N", defaultValue = "10",
            description = "Seconds to wait after SIGTERM before SIGKILL (default: 10).")
    private int seconds;

    Duration duration() {
        if (seconds < 0) {
            throw new IllegalArgumentException("timeout " + seconds + ": expected 0 or more seconds");
        }
        return Duration.ofSeconds(seconds);
    }
}
