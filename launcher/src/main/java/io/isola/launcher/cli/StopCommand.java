package io.isola.launcher.cli;

import io.isola.lifecycle.Lifecycle;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code isola stop [-t N] ID...}: SIGTERM, then SIGKILL after N seconds (a PID 1 ignores unhandled signals). */
@Command(name = "stop", description = "Stop containers: SIGTERM, then SIGKILL after the timeout.")
final class StopCommand extends ContainerVerb {

    @Mixin
    private StopTimeout timeout = new StopTimeout();

    @Override
    public Integer call() throws InterruptedException {
        Duration wait = timeout.duration();
        Lifecycle lifecycle = lifecycle();
        return eachPrintingItsId(id -> lifecycle.stop(id, wait));
    }
}
