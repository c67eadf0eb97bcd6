package io.isola.launcher.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code isola rm [-f] [-v] ID...}: removes stopped containers; -f kills running ones first, -v their anonymous volumes. */
@Command(name = "rm", description = "Remove containers; -f kills running ones first.")
final class RmCommand extends ContainerVerb {

    @Option(
            names = {"-f", "--force"},
            description = "Kill the container first if it runs.")
    private boolean force;

    @Option(
            names = {"-v", "--volumes"},
            description = "Also remove the anonymous volumes of the container that no other container uses.")
    private boolean volumes;

    @Override
    public Integer call() throws InterruptedException {
        ContainerRemoval removal = new ContainerRemoval(lifecycle(), parent().config());
        try {
            return eachPrintingItsId(id -> removal.remove(id, force, volumes));
        } finally {
            removal.finish();
        }
    }
}
