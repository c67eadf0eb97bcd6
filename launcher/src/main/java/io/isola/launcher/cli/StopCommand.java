package io.isola.launcher.cli;

import io.isola.internal.nativ.Signals;
import io.isola.lifecycle.Lifecycle;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code isola stop [-s SIGNAL] [-t N] ID...}: the stop signal, then SIGKILL after N seconds (a PID
 * 1 ignores unhandled signals).
 */
@Command(
        name = "stop",
        description = {
            "Stop containers: the stop signal, then SIGKILL after the timeout.",
            "The stop signal is -s, else the container's --stop-signal or its image's StopSignal, else SIGTERM."
        })
final class StopCommand extends ContainerVerb {

    @Mixin
    private StopTimeout timeout = new StopTimeout();

    @Option(
            names = {"-s", "--signal"},
            paramLabel = "SIGNAL",
            description = "Signal to send first, as docker stop takes it.")
    private String signal;

    @Override
    public Integer call() throws InterruptedException {
        Duration wait = timeout.duration();
        Integer number = signal == null ? null : Signals.parse(signal);
        Lifecycle lifecycle = lifecycle();
        return eachPrintingItsId(id -> lifecycle.stop(id, number, wait));
    }
}
