package io.isola.launcher.cli.oci;

import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.attach.ContainerAttach;
import io.isola.launcher.attach.DetachKeys;
import io.isola.launcher.cli.ErrorLog;
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
@Command(
        name = "start",
        description = {
            "Start stopped containers again, or a created OCI container.",
            "A stopped container of 'run' runs again, as Docker's start: same id, name, options and",
            "writable layer, in the background (output appended to its logs); a running one is left",
            "be. With -a, start then attaches to it as 'isola attach' does (-i: with your stdin) and",
            "ends with its exit status. A container created from an OCI bundle by an engine runs its",
            "command (OCI runtime verb)."
        })
public final class StartCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @picocli.CommandLine.Option(
            names = {"-a", "--attach"},
            description = "Attach to its output and wait for it to end (one container).")
    private boolean attach;

    @picocli.CommandLine.Option(
            names = {"-i", "--interactive"},
            description = "Attach your stdin too (implies -a).")
    private boolean interactive;

    @picocli.CommandLine.Option(
            names = "--detach-keys",
            paramLabel = "KEYS",
            defaultValue = DetachKeys.DEFAULT,
            description = "With -a: keys that detach and leave it running (default: ${DEFAULT-VALUE}).")
    private String detachKeys;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StateStore store = parent.global().store();
        if (attach || interactive) {
            return startAttached(store);
        }
        PrintWriter out = spec.commandLine().getOut();
        for (String id : ids) {
            // runc's --log (containerd's shim): an engine's start, which names its container by
            // the whole id; a name or prefix could be a Docker-style container's
            ContainerState state =
                    parent.global().runcLog() ? new Lifecycle(store).getExact(id) : new Lifecycle(store).get(id);
            if (state == null) {
                throw new StateStore.NoSuchContainerException(id);
            }
            if (state.bundle() != null) {
                startCreated(store, state);
                continue; // silent, as runc is: engines read its output
            }
            ContainerStart.start(store, state, parent.config());
            out.println(id);
            out.flush();
        }
        return 0;
    }

    /**
     * The OCI start, from the state just read: a runtime (no isolators: startContainer hooks only
     * join the container) is made only for such hooks.
     */
    private void startCreated(StateStore store, ContainerState state) {
        IsolaRuntime[] made = {null};
        try {
            new OciRuntime(store, parent.global().ociOptions())
                    .onWarning(message -> ErrorLog.warn(parent.global(), message))
                    .start(
                            () -> {
                                made[0] = IsolaRuntime.bare();
                                return made[0].isola();
                            },
                            state,
                            HooksRunInProcess.GATE);
        } finally {
            if (made[0] != null) {
                made[0].close();
            }
        }
    }

    /** Docker's {@code start -a}: one container, started (or already running), then attached until it ends. */
    private int startAttached(StateStore store) throws Exception {
        if (ids.size() != 1) {
            throw new IllegalArgumentException(
                    "start -a/-i: " + ids.size() + " containers given; attach to one at a time, as Docker does");
        }
        DetachKeys keys = DetachKeys.parse(detachKeys.isEmpty() ? DetachKeys.DEFAULT : detachKeys);
        ContainerState state = new Lifecycle(store).get(ids.get(0));
        if (state.bundle() != null) {
            throw new IllegalArgumentException("start -a/-i: container " + state.id()
                    + " was created from an OCI bundle," + " whose engine holds its stdio; start it without -a");
        }
        long logOffset = ContainerAttach.logEnd(state); // the output of this run starts here
        ContainerAttach attachment =
                new ContainerAttach(store, spec.commandLine().getErr());
        ContainerAttach.Request request = new ContainerAttach.Request(interactive, true, keys);
        if (!ContainerStart.start(store, state, parent.config())) {
            return attachment.attach(
                    new Lifecycle(store).get(state.id()), request); // it runs already: as Docker, attach
        }
        return attachment.attachSinceStart(new Lifecycle(store).get(state.id()), request, logOffset);
    }
}
