package io.isola.launcher.cli;

import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageImporter;
import io.isola.launcher.image.ImageStore;
import io.isola.launcher.image.ImportProgress;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code isola load [-i FILE]}: {@code docker load}, the same import as {@code isola image import}, from a file or stdin. */
@Command(
        name = "load",
        description = {
            "Load an image from a 'docker save' or OCI layout tarball (gzip or not),",
            "from FILE or from standard input, as 'isola image import' does."
        })
final class LoadCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(
            names = {"-i", "--input"},
            paramLabel = "FILE",
            description = "Read FILE instead of standard input.")
    private Path input;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress.")
    private boolean quiet;

    @Override
    public Integer call() throws IOException {
        ImageStore store = ImageStore.fromEnvironment();
        Image image;
        // progress on the caller's stderr (served: the client's), a line rewritten in place, at a terminal only
        try (PrintStream err = new PrintStream(CallerStdio.out(2), true, StandardCharsets.UTF_8)) {
            ImportProgress progress =
                    quiet || !CallerStdio.isTerminal(2) ? ImportProgress.QUIET : ImportProgress.line(err);
            ImporterRun run = file -> new ImageImporter(store, progress).importFile(file, null);
            if (input != null) {
                image = run.importFile(input);
            } else {
                if (CallerStdio.isTerminal(0)) {
                    throw new IllegalArgumentException(
                            "refusing to read a tar archive from a terminal: use -i FILE or redirect stdin");
                }
                // the importer reads a file (twice for a docker archive's layers): stdin is copied beside the store
                // first, from the caller's stdin (served: the client's)
                Path copy = Files.createTempFile(store.secure(true).root().resolve("tmp"), "load-", ".tar");
                try (InputStream stdin = CallerStdio.in()) {
                    Files.copy(stdin, copy, StandardCopyOption.REPLACE_EXISTING);
                    image = run.importFile(copy);
                } finally {
                    Files.deleteIfExists(copy);
                }
            }
        }
        spec.commandLine().getOut().println("Loaded image: " + image.name());
        spec.commandLine().getOut().flush();
        return 0;
    }

    private interface ImporterRun {
        Image importFile(Path file) throws IOException;
    }
}
