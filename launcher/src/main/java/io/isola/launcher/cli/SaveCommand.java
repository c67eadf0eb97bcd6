package io.isola.launcher.cli;

import io.isola.launcher.image.ImageSaver;
import io.isola.launcher.image.ImageStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isola save [-o FILE] [--format F] IMAGE}: an image as a tarball that docker, podman and isola load. */
@Command(
        name = "save",
        description = {
            "Write an image as a tar archive: docker-archive ('docker save', read by docker load",
            "and podman load) or oci-archive (an OCI image layout). To stdout, which must not be a terminal, or to FILE."
        })
final class SaveCommand implements Callable<Integer> {

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write to FILE instead of stdout.")
    private Path output;

    @Option(
            names = "--format",
            paramLabel = "docker-archive|oci-archive",
            defaultValue = "docker-archive",
            description = "The archive's layout (default: docker-archive).")
    private String format;

    @Parameters(paramLabel = "IMAGE", description = "The image.")
    private String image;

    @Override
    public Integer call() throws IOException {
        ImageSaver.Format chosen = ImageSaver.Format.parse(format);
        ImageSaver saver = new ImageSaver(ImageStore.fromEnvironment());
        TarDestination.write(output, out -> saver.save(image, chosen, out));
        return 0;
    }
}
