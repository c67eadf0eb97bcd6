package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.Signals;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.ProcessIdentity;
import io.isola.lifecycle.StateStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code isola kill [--all] ID [SIGNAL]}: runc's kill; docker's {@code kill [-s SIGNAL] ID...} too,
 * which signals every container it names, reports the others and exits 1 if any failed. Without a
 * signal, a container that an engine created from a bundle (OCI {@code create}) gets runc's TERM and
 * any other Docker's KILL: the container's origin tells the two apart where the command line cannot
 * ({@code kill ID} is both), and engines pass a signal anyway (containerd, podman's conmon).
 */
@Command(
        name = "kill",
        description = {
            "Send a signal to a container's first process.",
            "Without a signal: KILL, as docker kill; TERM, as runc kill, to a container an engine created from a bundle."
        })
final class KillCommand implements Callable<Integer> {

    /** runc kill's default signal. */
    private static final int RUNC_DEFAULT = Signals.SIGTERM;

    /** docker kill's default signal. */
    private static final int DOCKER_DEFAULT = Signals.SIGKILL;

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-a", "--all"},
            description = "Signal every process in the container's PID namespace.")
    private boolean all;

    @Parameters(
            arity = "1..*",
            paramLabel = "ID [SIGNAL]",
            description = "runc's: one ID and the signal; docker's: IDs, with -s for the signal.")
    private List<String> args;

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
        List<String> ids = runcForm ? args.subList(0, 1) : args;
        String given = signalOption != null ? signalOption : runcForm ? args.get(1) : null;
        Integer number = given == null ? null : Signals.parse(given);
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        if (ids.size() == 1) {
            // runc's --log (containerd's shim): an engine's call, which names its container by the
            // whole id; a name or prefix could be a Docker-style container's. runc's form alone
            // does not tell (users kill a Docker-style container by name that way too)
            ContainerState state =
                    parent.global().runcLog() ? exactly(lifecycle, ids.get(0)) : lifecycle.get(ids.get(0));
            boolean engines = signal(lifecycle, state, number);
            if (!runcForm && !(engines && given == null)) {
                spec.commandLine().getOut().println(ids.get(0)); // docker kill's line; runc's kill prints none
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
        int failed = 0;
        for (String id : ids) {
            try {
                signal(lifecycle, lifecycle.get(id), number);
                spec.commandLine().getOut().println(id); // as docker kill names each container it signalled
            } catch (IllegalArgumentException | IsolaException e) {
                failed++; // as Docker's: the others are signalled, the status says one failed
                spec.commandLine().getOut().flush();
                spec.commandLine().getErr().println("isola: " + e.getMessage());
            }
        }
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
        return failed == 0 ? 0 : ContainerVerb.SOME_FAILED;
    }

    /**
     * Sends {@code given} (null: the default for the container's origin, see the class comment);
     * true when an engine created the container from a bundle.
     */
    private boolean signal(Lifecycle lifecycle, ContainerState state, Integer given) {
        boolean engines = state.bundle() != null;
        int number = given != null ? given : engines ? RUNC_DEFAULT : DOCKER_DEFAULT;
        if (!all) {
            lifecycle.kill(state.id(), number);
            return engines;
        }
        for (ProcessIdentity process : ContainerProcesses.of(state)) {
            process.signal(number);
        }
        return engines;
    }

    /** The container with exactly the id {@code id}; throws naming it when there is none. */
    static ContainerState exactly(Lifecycle lifecycle, String id) {
        ContainerState state = lifecycle.getExact(id);
        if (state == null) {
            throw new StateStore.NoSuchContainerException(id);
        }
        return state;
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
