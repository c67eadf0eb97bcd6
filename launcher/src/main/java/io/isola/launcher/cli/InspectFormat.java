package io.isola.launcher.cli;

import io.isola.launcher.cli.format.InspectOutput;
import picocli.CommandLine.Option;

/** The {@code -f} option of the inspect verbs (containers, images, volumes, networks): one declaration. */
final class InspectFormat {

    @Option(
            names = {"-f", "--format"},
            paramLabel = "FORMAT",
            description = "json, or a Go template.")
    private String format;

    /** The output asked for; a bad template is refused here, before anything is read. */
    InspectOutput output() {
        return InspectOutput.of(format);
    }
}
