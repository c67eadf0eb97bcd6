package io.isola.launcher.cli;

import io.isola.launcher.attach.ContainerAttach;
import io.isola.launcher.attach.DetachKeys;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.StateStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code isola attach CONTAINER}, Docker's: the user's terminal or streams to a running detached container's. */
@Command(
        name = "attach",
        description = {
            "Attach your terminal (or stdin and stdout) to a running container's.",
            "A container run with -dit gets your keys and window size; -d -t shows its terminal,",
            "-di takes your stdin and shows its stdout and stderr, -d alone shows its output.",
            "Several attaches at once all see the output. The detach keys (ctrl-p ctrl-q) leave",
            "it running (\"read escape sequence\", status 1, as Docker's); else attach ends when",
            "the container does, with its exit status."
        })
final class AttachCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    private String container;

    @Option(names = "--no-stdin", description = "Do not pass your stdin to the container (output only).")
    private boolean noStdin;

    @Option(
            names = "--sig-proxy",
            arity = "0..1",
            defaultValue = "true",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description =
                    "Pass the signals you get (INT, TERM, HUP) to a container without a terminal (default: true).")
    private boolean sigProxy;

    @Option(
            names = "--detach-keys",
            paramLabel = "KEYS",
            defaultValue = DetachKeys.DEFAULT,
            description = "Keys that detach and leave the container running: comma-separated characters or ctrl-X"
                    + " (default: ${DEFAULT-VALUE}).")
    private String detachKeys;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        DetachKeys keys = DetachKeys.parse(detachKeys.isEmpty() ? DetachKeys.DEFAULT : detachKeys);
        StateStore store = parent.global().store();
        return new ContainerAttach(store, spec.commandLine().getErr())
                .attach(new Lifecycle(store).get(container), new ContainerAttach.Request(!noStdin, sigProxy, keys));
    }
}
