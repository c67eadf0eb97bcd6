package io.isola.launcher.cli;

import io.isola.lifecycle.Lifecycle;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code isola stop [-t N] ID...}: SIGTERM, then SIGKILL after N seconds (a PID 1 ignores unhandled signals). */
@Command(name = "stop", description = "Stop containers: SIGTERM, then SIGKILL after the timeout.")
final class StopCommand extends ContainerVerb {

    @Option(names = {"-t", "--time"}, paramLabel = "N", defaultValue = "10",
            description = "Seconds to wait after SIGTERM before SIGKILL (default: 10).")
    private int seconds;

    @Override
    public Integer call() throws InterruptedException {
        if (seconds < 0) {
            throw new IllegalArgumentException("timeout " + seconds + ": expected 0 or more seconds");
        }
        Lifecycle lifecycle = lifecycle();
        return eachPrintingItsId(id -> lifecycle.stop(id, Duration.ofSeconds(seconds)));
    }
}
