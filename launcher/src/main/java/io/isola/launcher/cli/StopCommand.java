package io.isola.launcher.cli;

import io.isola.lifecycle.Lifecycle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isola stop [-t N] ID...}: SIGTERM, then SIGKILL after N seconds (a PID 1 ignores unhandled signals). */
@Command(name = "stop", description = "Stop containers: SIGTERM, then SIGKILL after the timeout.")
final class StopCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(names = {"-t", "--time"}, paramLabel = "N", defaultValue = "10",
            description = "Seconds to wait after SIGTERM before SIGKILL (default: 10).")
    private int seconds;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (seconds < 0) {
            throw new IllegalArgumentException("timeout " + seconds + ": expected 0 or more seconds");
        }
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        for (String id : ids) {
            lifecycle.stop(id, Duration.ofSeconds(seconds));
            spec.commandLine().getOut().println(id);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
