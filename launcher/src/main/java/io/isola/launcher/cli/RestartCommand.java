package io.isola.launcher.cli;

import io.isola.launcher.cli.run.ContainerStart;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code isola restart [-t N] ID...}: stop (as {@code stop}), then start again (as {@code start}). */
@Command(name = "restart", description = {"Restart containers: stop them (SIGTERM, SIGKILL after the timeout), then start",
    "them again with the same id, name, options and writable layer, in the background."})
final class RestartCommand extends ContainerVerb {

    @Option(names = {"-t", "--time"}, paramLabel = "N", defaultValue = "10",
            description = "Seconds to wait after SIGTERM before SIGKILL (default: 10).")
    private int seconds;

    @Override
    public Integer call() throws InterruptedException {
        if (seconds < 0) {
            throw new IllegalArgumentException("timeout " + seconds + ": expected 0 or more seconds");
        }
        Lifecycle lifecycle = lifecycle();
        return eachPrintingItsId(id -> {
            ContainerState stopped = lifecycle.stop(id, Duration.ofSeconds(seconds));
            ContainerStart.start(lifecycle.store(), lifecycle.get(stopped == null ? id : stopped.id()));
        });
    }
}
