package io.isola.launcher.cli;

import io.isola.launcher.image.ImageSource;
import io.isola.launcher.image.ImageStore;
import io.isola.launcher.image.PullProgress;
import io.isola.launcher.registry.DockerConfig;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.Platform;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isola pull NAME[:TAG|@DIGEST]}: an image from a registry into the store; thin, the work is in {@link ImageSource}. */
@Command(
        name = "pull",
        description = {
            "Pull an image from a registry (OCI distribution spec) into the local store.",
            "busybox is docker.io/library/busybox:latest; other registries by host: HOST[:PORT]/NAME[:TAG|@DIGEST].",
            "Credentials from 'isola login' (~/.docker/config.json, as Docker keeps them), or --authfile.",
            "Served by the resident server, with the caller's credentials."
        })
final class PullCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--platform",
            paramLabel = "OS/ARCH[/VARIANT]",
            description = "Which image of a multi-platform one (default: this machine's, linux/amd64 or linux/arm64).")
    private String platform;

    @Option(
            names = "--tls-verify",
            arity = "0..1",
            paramLabel = "BOOL",
            fallbackValue = "true",
            description = {
                "Require HTTPS with a verified certificate (default: true, except for registries on loopback).",
                "false: any certificate, and plain HTTP when the registry has no TLS."
            })
    private Boolean tlsVerify;

    @Option(
            names = "--authfile",
            paramLabel = "FILE",
            description = "Credentials from FILE (Docker's config.json format) instead of $DOCKER_CONFIG/config.json"
                    + " or ~/.docker/config.json.")
    private Path authfile;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print only the image's full name.")
    private boolean quiet;

    @Parameters(paramLabel = "NAME[:TAG|@DIGEST]", description = "The image.")
    private String name;

    @Override
    public Integer call() {
        ImageReference reference = ImageReference.parse(name);
        Platform chosen = platform == null ? null : Platform.parse(platform);
        PrintWriter out = spec.commandLine().getOut();
        PullProgress progress = quiet ? PullProgress.QUIET : PullProgress.of(out, CallerStdio.terminal());
        try {
            ImageSource.pull(
                    ImageStore.fromEnvironment(), name, chosen, tlsVerify, DockerConfig.named(authfile), progress);
        } catch (IOException e) {
            throw ImageSource.failed(reference, e);
        }
        out.println(reference);
        out.flush();
        return 0;
    }
}
