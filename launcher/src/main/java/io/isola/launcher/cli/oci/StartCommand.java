package io.isola.launcher.cli.oci;

import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.cli.IsolaCommand;
import io.isola.launcher.cli.run.ContainerStart;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.StateStore;
import io.isola.oci.OciRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code start}, both of its meanings: Docker's (a stopped container of {@code run} runs again)
 * and the OCI runtime's (opens the gate of a container an engine created from its bundle, and
 * returns once its command runs). Which one a container gets is told by its state: an OCI
 * container has a bundle.
 */
@Command(name = "start", description = {"Start stopped containers again, or a created OCI container.",
    "A stopped container of 'run' runs again, as Docker's start: same id, name, options and",
    "writable layer, in the background (output appended to its logs; Docker's -a is not",
    "supported by isola); a running one is left be. A container created from an OCI bundle",
    "by an engine runs its command (OCI runtime verb)."})
public final class StartCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @picocli.CommandLine.Option(names = {"-a", "--attach", "-i", "--interactive"}, hidden = true,
            description = "Docker's; not supported by isola.")
    private boolean attach;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (attach) {
            throw new IllegalArgumentException("start -a/-i: attaching is not supported by isola; start it, then"
                    + " 'isola logs -f ID' follows its output");
        }
        StateStore store = parent.global().store();
        PrintWriter out = spec.commandLine().getOut();
        for (String id : ids) {
            ContainerState state = new Lifecycle(store).get(id);
            if (state.bundle() != null) {
                try (IsolaRuntime runtime = IsolaRuntime.bare()) { // no isolators: startContainer hooks only join
                    new OciRuntime(store, parent.global().ociOptions())
                            .onWarning(message -> io.isola.launcher.cli.ErrorLog.warn(parent.global(), message))
                            .start(runtime.isola(), id, HooksRunInProcess.GATE);
                }
                continue; // silent, as runc is: engines read its output
            }
            ContainerStart.start(store, state);
            out.println(id);
            out.flush();
        }
        return 0;
    }
}
