package io.isola.launcher.cli;

import io.isola.launcher.registry.DockerConfig;
import io.isola.launcher.registry.ImageReference;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code isola logout [SERVER]}: forgets the stored credentials of a registry, as {@code docker logout}. */
@Command(name = "logout", description = "Remove a registry's credentials from ~/.docker/config.json ($DOCKER_CONFIG).")
final class LogoutCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "SERVER", description = "The registry's HOST[:PORT] (default: docker.io).")
    private String server;

    @Override
    public Integer call() throws IOException {
        String registry = ImageReference.registry(server);
        boolean removed = DockerConfig.fromEnvironment().remove(registry);
        spec.commandLine()
                .getOut()
                .println(removed ? "Removing login credentials for " + registry : "Not logged in to " + registry);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
