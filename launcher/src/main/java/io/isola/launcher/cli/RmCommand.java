package io.isola.launcher.cli;

import io.isola.lifecycle.Lifecycle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code isola rm [-f] ID...}: removes stopped containers; -f kills running ones first. */
@Command(name = "rm", description = "Remove containers; -f kills running ones first.")
final class RmCommand extends ContainerVerb {

    @Option(names = {"-f", "--force"}, description = "Kill the container first if it runs.")
    private boolean force;

    @Override
    public Integer call() throws InterruptedException {
        Lifecycle lifecycle = lifecycle();
        return eachPrintingItsId(id -> ContainerLayerRemoval.after(lifecycle.remove(id, force)));
    }
}
