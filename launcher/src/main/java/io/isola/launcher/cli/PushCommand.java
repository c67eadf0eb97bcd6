package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.launcher.image.Image;
import io.isola.launcher.image.ImagePusher;
import io.isola.launcher.image.ImageSource;
import io.isola.launcher.image.ImageStore;
import io.isola.launcher.image.PullProgress;
import io.isola.launcher.registry.DockerConfig;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.RegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isola push NAME[:TAG]}: an image of the store to the registry its name says ('isola tag' names it so). */
@Command(
        name = "push",
        description = {
            "Push an image to the registry its name says (HOST[:PORT]/PATH[:TAG]; Docker Hub for",
            "PATH alone); 'isola tag' gives an image such a name. Credentials from 'isola login'."
        })
final class PushCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--tls-verify",
            arity = "0..1",
            paramLabel = "BOOL",
            fallbackValue = "true",
            description =
                    "Require HTTPS with a verified certificate (default: true, except for registries on loopback).")
    private Boolean tlsVerify;

    @Option(
            names = "--authfile",
            paramLabel = "FILE",
            description = "Credentials from FILE (Docker's config.json format) instead of $DOCKER_CONFIG/config.json"
                    + " or ~/.docker/config.json.")
    private Path authfile;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print only the manifest's digest.")
    private boolean quiet;

    @Parameters(paramLabel = "NAME[:TAG]", description = "The image, named as it will be in the registry.")
    private String name;

    @Override
    public Integer call() throws IOException {
        ImageReference reference = ImageReference.parse(name);
        if (reference.tag() == null) {
            throw new IllegalArgumentException("image \"" + name + "\": expected NAME[:TAG] to push, not a digest");
        }
        ImageStore store = ImageStore.fromEnvironment();
        Image image = ImageSource.stored(store, name).orElseGet(() -> store.get(name));
        PrintWriter out = spec.commandLine().getOut();
        boolean verify = tlsVerify != null ? tlsVerify : !ImageReference.isLoopback(reference.registry());
        RegistryClient client = new RegistryClient(
                        reference, DockerConfig.named(authfile).credentials(reference.registry()), verify)
                .forPush();
        String digest;
        try {
            digest = new ImagePusher(store, quiet ? PullProgress.QUIET : PullProgress.of(out, CallerStdio.terminal()))
                    .push(image, reference, client);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IsolaException("pushing " + reference + ": " + message, e);
        }
        if (quiet) {
            out.println(digest);
        }
        out.flush();
        return 0;
    }
}
