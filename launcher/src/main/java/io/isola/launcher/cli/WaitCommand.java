package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import picocli.CommandLine.Command;

/** {@code isola wait ID...}: blocks until each container ends and prints its exit code. */
@Command(name = "wait", description = "Wait for containers to end and print their exit codes.")
final class WaitCommand extends ContainerVerb {

    @Override
    public Integer call() throws InterruptedException {
        Lifecycle lifecycle = lifecycle();
        for (String id : ids()) {
            ContainerState state = lifecycle.await(id);
            Integer code = state == null || state.isola() == null ? null : state.isola().exitCode();
            out().println(code == null ? "unknown" : code.toString());
        }
        out().flush();
        return 0;
    }
}
