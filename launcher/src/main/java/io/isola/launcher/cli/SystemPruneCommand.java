package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.lifecycle.Lifecycle;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola system prune [-f]}, as Docker's: what isola can leave unused is stopped containers
 * (its image store drops an image's layers once no tag and no container uses them, so it holds no
 * dangling images, and it has no build cache; volumes have {@code volume prune}), so this is
 * container prune.
 */
@Command(
        name = "prune",
        description = {
            "Remove unused data: every stopped container (asks first unless -f).",
            "Differs from Docker: isola keeps no dangling images or build cache; -a/--all and",
            "--volumes are not supported by isola ('isola image rm', 'isola volume prune')."
        })
final class SystemPruneCommand implements Callable<Integer> {

    @ParentCommand
    private SystemCommand system;

    @Option(
            names = {"-f", "--force"},
            description = "Do not ask.")
    private boolean force;

    @Option(
            names = {"-a", "--all"},
            hidden = true)
    private boolean all;

    @Option(names = "--volumes", hidden = true)
    private boolean volumes;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, IOException {
        if (all || volumes) {
            throw new IsolaException("system prune " + (all ? "--all" : "--volumes") + " is not supported by isola: "
                    + (all
                            ? "it keeps no unused images apart from tagged ones; remove those with 'isola image rm'"
                            : "remove unused volumes with 'isola volume prune'"));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!force
                && !ContainerPruneCommand.confirmed(
                        out, "WARNING! This will remove:\n  - all stopped containers\n\n")) {
            return 0;
        }
        ContainerPruneCommand.report(
                ContainerPruneCommand.prune(
                        new Lifecycle(system.parent().global().store()),
                        system.parent().config()),
                out);
        return 0;
    }
}
