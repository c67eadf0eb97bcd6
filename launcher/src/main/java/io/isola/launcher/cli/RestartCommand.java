package io.isola.launcher.cli;

import io.isola.launcher.cli.run.ContainerStart;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code isola restart [-t N] ID...}: stop (as {@code stop}), then start again (as {@code start}). */
@Command(
        name = "restart",
        description = {
            "Stop containers, then start them again.",
            "Stops as stop does (SIGTERM, SIGKILL after the timeout), then starts as start does:",
            "the same id, name, options and writable layer, in the background."
        })
final class RestartCommand extends ContainerVerb {

    @Mixin
    private StopTimeout timeout = new StopTimeout();

    @Override
    public Integer call() throws InterruptedException {
        Duration wait = timeout.duration();
        Lifecycle lifecycle = lifecycle();
        return eachPrintingItsId(id -> {
            ContainerState stopped = lifecycle.stop(id, wait);
            ContainerStart.start(
                    lifecycle.store(), lifecycle.get(stopped == null ? id : stopped.id()), parent().config());
        });
    }
}
