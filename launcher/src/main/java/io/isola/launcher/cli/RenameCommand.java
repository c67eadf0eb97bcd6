package io.isola.launcher.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code isola rename CONTAINER NEW_NAME}, as Docker's: running or stopped, silent on success. */
@Command(name = "rename", description = "Rename a container (running or stopped).")
final class RenameCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    private String container;

    @Parameters(index = "1", paramLabel = "NEW_NAME")
    private String name;

    @Override
    public Integer call() {
        parent.global().store().rename(container, name);
        return 0;
    }
}
