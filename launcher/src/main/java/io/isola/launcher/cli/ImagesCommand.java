package io.isola.launcher.cli;

import io.isola.launcher.image.ImageStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code isola images}: the same list as {@code isola image ls}, as Docker users type it. */
@Command(name = "images", description = "List the images in the local store.")
final class ImagesCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        ImageCommand.print(spec.commandLine().getOut(), ImageStore.fromEnvironment().list());
        return 0;
    }
}
