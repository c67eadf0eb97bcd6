package io.isola.launcher.cli;

import io.isola.launcher.image.ContainerCommit;
import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageStore;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code isola commit CONTAINER NAME[:TAG]}: a new image from an image's container and its changes. */
@Command(
        name = "commit",
        mixinStandardHelpOptions = true,
        description = {
            "Create an image from a container's changes (running or stopped).",
            "Its writable layer, deletions too, becomes a new layer of the image NAME[:TAG]",
            "(TAG: latest when omitted), which shares its parent's layers and keeps its",
            "configuration (Entrypoint, Cmd, Env, WorkingDir). Prints the new image's id."
        })
final class CommitCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container id, name or unique id prefix.")
    private String container;

    @Parameters(index = "1", paramLabel = "NAME[:TAG]", description = "The new image's name.")
    private String name;

    @Override
    public Integer call() throws IOException {
        ContainerCommit.reference(name); // a bad name is refused before the container is looked at
        ContainerState state = new Lifecycle(parent.global().store()).get(container);
        Image image = new ContainerCommit(ImageStore.fromEnvironment()).commit(state.id(), state.savedRoot(), name);
        spec.commandLine().getOut().println(image.id());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
