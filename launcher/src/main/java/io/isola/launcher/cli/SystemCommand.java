package io.isola.launcher.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code isola system prune}: Docker's management command for the whole runtime (isola has prune here). */
@Command(
        name = "system",
        description = "Manage isola (isola has prune here; info and version are top-level).",
        subcommands = {SystemPruneCommand.class})
final class SystemCommand implements Runnable {

    @picocli.CommandLine.ParentCommand
    private IsolaCommand parent;

    @Spec
    private CommandSpec spec;

    IsolaCommand parent() {
        return parent;
    }

    @Override
    public void run() {
        GroupUsage.show(spec);
    }
}
