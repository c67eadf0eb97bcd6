package io.isola.launcher.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code isola container prune}: Docker's management command for containers (the other verbs are top-level). */
@Command(
        name = "container",
        description = "Manage containers (isola has prune here; the other verbs are top-level).",
        subcommands = {ContainerPruneCommand.class})
final class ContainerCommand implements Runnable {

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
