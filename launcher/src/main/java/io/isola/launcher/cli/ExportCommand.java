package io.isola.launcher.cli;

import io.isola.launcher.image.ContainerExport;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.SavedRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code isola export [-o FILE] CONTAINER}: the container's root file system as a tar, as {@code docker export}. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Export a container's root file system as a tar archive (running or stopped).",
            "Its image's files with its changes, or its --rootfs directory; not volumes,",
            "/proc, /dev or /sys. To stdout, which must not be a terminal, or to FILE."
        })
final class ExportCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write to FILE instead of stdout.")
    private Path output;

    @Parameters(paramLabel = "CONTAINER", description = "Container id, name or unique id prefix.")
    private String container;

    @Override
    public Integer call() throws IOException {
        ContainerState state = new Lifecycle(parent.global().store()).get(container);
        SavedRoot root = state.savedRoot();
        ContainerExport.check(state.id(), root);
        TarDestination.write(output, out -> ContainerExport.write(state.id(), root, out));
        return 0;
    }
}
