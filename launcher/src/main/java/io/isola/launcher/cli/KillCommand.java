package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.ProcessIdentity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isola kill [--all] ID [SIGNAL]}: runc's kill, SIGTERM by default; docker's {@code -s SIGNAL} too. */
@Command(name = "kill", description = "Send a signal (default TERM) to a container's first process.")
final class KillCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(names = {"-a", "--all"}, description = "Signal every process in the container's PID namespace.")
    private boolean all;

    @Parameters(index = "0", paramLabel = "ID")
    private String id;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SIGNAL", description = "The signal, as runc takes it (default TERM).")
    private String signal;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "The signal, as docker kill takes it.")
    private String signalOption;

    @Override
    public Integer call() {
        if (signal != null && signalOption != null) {
            throw new IllegalArgumentException("signal \"" + signal + "\" and --signal \"" + signalOption
                    + "\": expected one of them");
        }
        int number = Signals.parse(signalOption != null ? signalOption : signal != null ? signal : "TERM");
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        if (!all) {
            lifecycle.kill(id, number);
            return 0;
        }
        ContainerState state = lifecycle.get(id);
        for (ProcessIdentity process : ContainerProcesses.of(state)) {
            process.signal(number);
        }
        return 0;
    }
}
