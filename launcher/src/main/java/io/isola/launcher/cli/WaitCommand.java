package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isola wait ID...}: blocks until each container ends and prints its exit code. */
@Command(name = "wait", description = "Wait for containers to end and print their exit codes.")
final class WaitCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        for (String id : ids) {
            ContainerState state = lifecycle.await(id);
            Integer code = state == null || state.isola() == null ? null : state.isola().exitCode();
            spec.commandLine().getOut().println(code == null ? "unknown" : code.toString());
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
