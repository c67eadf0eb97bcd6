package io.isola.launcher.cli;

import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImageImporter;
import io.isola.launcher.image.ImageStore;
import io.isola.launcher.image.ImportProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isola image import|ls|rm|inspect|history}: the local image store; thin, the work is in {@link ImageStore}. */
@Command(
        name = "image",
        description = "Manage the local image store (ISOLA_ROOT, default /var/lib/isola).",
        subcommands = {
            ImageCommand.Import.class,
            ImageCommand.Ls.class,
            ImageCommand.Rm.class,
            ImageInspectCommand.class,
            HistoryCommand.class
        })
final class ImageCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        GroupUsage.show(spec);
    }

    @Command(name = "import", description = "Import a 'docker save' or OCI layout tarball, gzip or not.")
    static final class Import implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--name", paramLabel = "NAME", description = "Name for the image (default: the archive's).")
        private String name;

        @Parameters(paramLabel = "FILE", description = "The tarball.")
        private Path file;

        @Override
        public Integer call() throws IOException {
            Image image = new ImageImporter(ImageStore.fromEnvironment(), ImportProgress.forConsole(System.err))
                    .importFile(file, name);
            spec.commandLine().getOut().println(image.name() + " " + image.id());
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List the images.")
    static final class Ls implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), ImageStore.fromEnvironment().list());
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove images, and the layers no other image uses.")
    static final class Rm implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        private List<String> names;

        @Override
        public Integer call() throws IOException {
            ImageStore store = ImageStore.fromEnvironment();
            for (String name : names) {
                store.remove(name);
            }
            return 0;
        }
    }

    static void print(PrintWriter out, List<Image> images) {
        out.printf("%-30s %-12s %6s %10s  %s%n", "NAME", "ID", "LAYERS", "SIZE", "IMPORTED");
        for (Image image : images) {
            out.printf(
                    "%-30s %-12s %6d %8.1fMB  %s%n",
                    image.name(), image.shortId(), image.layers().size(), image.size() / 1048576.0, image.imported());
        }
        out.flush();
    }
}
