package io.isola.launcher.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isola resume ID...}: lets the processes of paused containers run again (docker unpause). */
@Command(name = "resume", aliases = "unpause", description = "Let the processes of paused containers run again.")
final class ResumeCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        return PauseCommand.toggle(parent, spec, ids, false);
    }
}
