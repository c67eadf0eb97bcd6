package io.isola.launcher.cli;

import io.isola.internal.nativ.Signals;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.ProcessIdentity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isola kill [--all] ID [SIGNAL]}: runc's kill, SIGTERM by default; docker's {@code kill [-s SIGNAL] ID...}
 * too, which signals every container it names, reports the others and exits 1 if any failed.
 */
@Command(name = "kill", description = "Send a signal (default TERM) to a container's first process.")
final class KillCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-a", "--all"},
            description = "Signal every process in the container's PID namespace.")
    private boolean all;

    @Parameters(
            arity = "1..*",
            paramLabel = "ID [SIGNAL]",
            description = "runc's: one ID and the signal (default TERM); docker's: IDs, with -s for the signal.")
    private java.util.List<String> args;

    @Option(
            names = {"-s", "--signal"},
            paramLabel = "SIGNAL",
            description = "The signal, as docker kill takes it.")
    private String signalOption;

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (signalOption != null && args.size() == 2 && isSignal(args.get(1))) {
            throw new IllegalArgumentException(
                    "signal \"" + args.get(1) + "\" and --signal \"" + signalOption + "\": expected one of them");
        }
        // runc's form when the second of two arguments is a signal; else every argument is an id
        boolean runcForm = signalOption == null && args.size() == 2 && isSignal(args.get(1));
        java.util.List<String> ids = runcForm ? args.subList(0, 1) : args;
        int number = Signals.parse(signalOption != null ? signalOption : runcForm ? args.get(1) : "TERM");
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        if (ids.size() == 1) {
            signal(lifecycle, ids.get(0), number);
            return 0;
        }
        int failed = 0;
        for (String id : ids) {
            try {
                signal(lifecycle, id, number);
                spec.commandLine().getOut().println(id); // as docker kill names each container it signalled
            } catch (IllegalArgumentException | io.isola.api.IsolaException e) {
                failed++; // as Docker's: the others are signalled, the status says one failed
                spec.commandLine().getOut().flush();
                spec.commandLine().getErr().println("isola: " + e.getMessage());
            }
        }
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
        return failed == 0 ? 0 : ContainerVerb.SOME_FAILED;
    }

    private void signal(Lifecycle lifecycle, String id, int number) {
        if (!all) {
            lifecycle.kill(id, number);
            return;
        }
        ContainerState state = lifecycle.get(id);
        for (ProcessIdentity process : ContainerProcesses.of(state)) {
            process.signal(number);
        }
    }

    private static boolean isSignal(String value) {
        try {
            Signals.parse(value);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
