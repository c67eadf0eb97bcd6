package io.isola.launcher.cli;

import io.isola.launcher.image.ContainerExport;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.SavedRoot;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code isola export [-o FILE] CONTAINER}: the container's root file system as a tar, as {@code docker export}. */
@Command(name = "export", mixinStandardHelpOptions = true, description = {
    "Export a container's root file system as a tar archive (running or stopped).",
    "Its image's files with its changes, or its --rootfs directory; not volumes,",
    "/proc, /dev or /sys. To stdout, which must not be a terminal, or to FILE."})
final class ExportCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    private Path output;

    @Parameters(paramLabel = "CONTAINER", description = "Container id, name or unique id prefix.")
    private String container;

    @Override
    public Integer call() throws IOException {
        ContainerState state = new Lifecycle(parent.global().store()).get(container);
        SavedRoot root = state.isola() == null || state.isola().spec() == null ? null : state.isola().spec().root();
        ContainerExport.check(state.id(), root);
        if (output == null) {
            if (stdoutIsTerminal()) {
                throw new IllegalArgumentException("refusing to write a tar archive to a terminal: use -o FILE or redirect stdout");
            }
            OutputStream stdout = new FileOutputStream(FileDescriptor.out);
            ContainerExport.write(state.id(), root, stdout);
            stdout.flush();
            return 0;
        }
        // written beside the target and renamed, so a failed export leaves no half archive
        Path target = output.toAbsolutePath();
        Path partial = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
        try {
            try (OutputStream file = Files.newOutputStream(partial)) {
                ContainerExport.write(state.id(), root, file);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
        return 0;
    }

    /** Whether fd 1 is a terminal (docker refuses those too: a tar is no text). */
    static boolean stdoutIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
