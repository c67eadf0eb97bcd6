package io.isola.launcher.cli.run;

import io.isola.launcher.image.Image;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Docker's {@code --entrypoint}: one program (not split at spaces) that replaces the image's
 * Entrypoint. As in Docker, a given entrypoint also drops the image's Cmd, so the arguments after
 * the image are its only arguments; {@code --entrypoint ""} clears the Entrypoint and keeps the Cmd.
 */
final class EntrypointOption {

    @Option(
            names = "--entrypoint",
            paramLabel = "CMD",
            description =
                    "Run CMD instead of the image's Entrypoint, with the arguments after the image (not the image's Cmd);"
                            + " \"\" clears the Entrypoint and runs the Cmd. Without an image, CMD comes before the command.")
    String entrypoint;

    /** Whether the option alone makes a command, with no argument after it. */
    boolean givesCommand() {
        return entrypoint != null && !entrypoint.isEmpty();
    }

    /** What runs for {@code args} (the positionals after the image, if any): Docker's merge of entrypoint and Cmd. */
    List<String> command(Image image, List<String> args) {
        if (entrypoint == null) {
            return image == null ? List.copyOf(args) : image.command(args);
        }
        List<String> command = new ArrayList<>();
        if (!entrypoint.isEmpty()) {
            command.add(entrypoint);
            command.addAll(args);
        } else {
            command.addAll(args.isEmpty() && image != null ? image.cmd() : args);
        }
        return command;
    }
}
