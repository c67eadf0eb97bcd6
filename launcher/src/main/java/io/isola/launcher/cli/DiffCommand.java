package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.launcher.image.ContainerChanges;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.SavedRoot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code isola diff CONTAINER}: what a container of an image changed in its files, as Docker lists it. */
@Command(
        name = "diff",
        description = {
            "List the files a container of an image added (A), changed (C) or deleted (D).",
            "isola: a container of --rootfs or of the host's files has no layer to compare, and is refused."
        })
final class DiffCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    private String container;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ContainerState state = new Lifecycle(parent.global().store()).get(container);
        SavedRoot root = state.savedRoot();
        if (root == null || root.writableLayer() == null || root.layers() == null) {
            throw new IsolaException(
                    "container " + state.id() + " has no image layers to compare: diff needs a container"
                            + " of an image (not --rootfs, not the host's files)");
        }
        List<Path> lowers = root.layers().stream().map(Path::of).toList();
        PrintWriter out = spec.commandLine().getOut();
        for (ContainerChanges.Change change :
                ContainerChanges.ofContainer(Path.of(root.writableLayer(), "upper"), lowers)) {
            out.println(change);
        }
        out.flush();
        return 0;
    }
}
