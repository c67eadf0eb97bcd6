package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.launcher.registry.DockerConfig;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.RegistryClient;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code isola login [SERVER]}: checks a user name and password against the registry ({@code GET
 * /v2/}, answering its challenge as a pull does), then stores them as {@code docker login} does.
 */
@Command(
        name = "login",
        description = {
            "Log in to a registry (default: Docker Hub) and store the credentials",
            "in ~/.docker/config.json ($DOCKER_CONFIG), as 'docker login' does."
        })
final class LoginCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(
            names = {"-u", "--username"},
            paramLabel = "USER",
            description = "User name (asked for on a terminal when missing).")
    private String user;

    @Option(
            names = {"-p", "--password"},
            paramLabel = "PASSWORD",
            description = "Password; --password-stdin keeps it out of ps and history.")
    private String password;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    private boolean passwordStdin;

    @Option(
            names = "--tls-verify",
            arity = "0..1",
            paramLabel = "BOOL",
            fallbackValue = "true",
            description =
                    "Require HTTPS with a verified certificate (default: true, except for registries on loopback).")
    private Boolean tlsVerify;

    @Parameters(arity = "0..1", paramLabel = "SERVER", description = "The registry's HOST[:PORT] (default: docker.io).")
    private String server;

    @Override
    public Integer call() throws IOException {
        String registry = ImageReference.registry(server);
        if (password != null && passwordStdin) {
            throw new IllegalArgumentException("--password and --password-stdin: expected one of them");
        }
        Console console = System.console();
        if (user == null) {
            if (console == null) {
                throw new IllegalArgumentException("no user name: expected --username USER (no terminal to ask on)");
            }
            user = console.readLine("Username: ");
        }
        if (passwordStdin) {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } else if (password == null) {
            if (console == null) {
                throw new IllegalArgumentException(
                        "no password: expected --password-stdin or --password (no terminal to ask on)");
            }
            char[] typed = console.readPassword("Password: ");
            password = typed == null ? null : new String(typed);
        }
        if (user == null || user.isEmpty() || user.contains(":") || password == null || password.isEmpty()) {
            throw new IllegalArgumentException(
                    "user name \"" + user + "\" and password: expected both, the user name without ':'");
        }
        DockerConfig.Credentials credentials = new DockerConfig.Credentials(user, password);
        boolean verify = tlsVerify != null ? tlsVerify : !ImageReference.isLoopback(registry);
        try {
            new RegistryClient(registry, ImageReference.apiHost(registry), "", Optional.of(credentials), verify).ping();
        } catch (IOException e) {
            throw new IsolaException("login to " + registry + " failed: " + e.getMessage(), e);
        }
        DockerConfig config = DockerConfig.fromEnvironment();
        config.store(registry, credentials);
        spec.commandLine().getOut().println("Login Succeeded");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
