package io.isola.launcher.cli;

import io.isola.lifecycle.Lifecycle;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isola rm [-f] ID...}: removes stopped containers; -f kills running ones first. */
@Command(name = "rm", description = "Remove containers; -f kills running ones first.")
final class RmCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(names = {"-f", "--force"}, description = "Kill the container first if it runs.")
    private boolean force;

    @Parameters(arity = "1..*", paramLabel = "ID")
    private List<String> ids;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        for (String id : ids) {
            io.isola.lifecycle.ContainerState removed = lifecycle.remove(id, force);
            ContainerLayerRemoval.after(removed);
            spec.commandLine().getOut().println(id);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
