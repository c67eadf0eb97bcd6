package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.lifecycle.MonitorProcess;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The CLI as bin/isola runs it through a resident server: each command a JVM client of its own,
 * the server started by the first in a directory of the test's (or of its class's, shared by its
 * tests), with a state root of the test's. {@link #close} removes every container and stops the
 * server unless it is shared.
 */
final class ServedCli implements AutoCloseable {

    private static final String CLIENT = "io.isola.launcher.client.Client";

    private final Path serverDir;
    private final Path root;
    private final boolean ownServer;
    private List<String> serverProperties = List.of();
    private List<String> clientProperties = List.of();

    /** What a command printed and its exit status. */
    record Result(int code, String out, String err) {}

    ServedCli(Path dir) throws IOException {
        this(dir.resolve("srv"), dir, true);
    }

    /** Through the server of {@code sharedServerDir}, which the caller stops ({@link ResidentServers#stopAll}). */
    ServedCli(Path sharedServerDir, Path dir) throws IOException {
        this(sharedServerDir, dir, false);
    }

    private ServedCli(Path serverDir, Path dir, boolean ownServer) throws IOException {
        this.serverDir = serverDir;
        this.root = Files.createDirectories(dir.resolve("state"));
        this.ownServer = ownServer;
    }

    Path root() {
        return root;
    }

    /** System properties ({@code -Dname=value}) of the server's JVM alone, for a server this starts from now on. */
    ServedCli serverProperties(String... properties) {
        serverProperties = List.of(properties);
        return this;
    }

    /** System properties of each client's JVM alone: what a command run in-process would see. */
    ServedCli clientProperties(String... properties) {
        clientProperties = List.of(properties);
        return this;
    }

    Result run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    /** Runs {@code args} with {@code env} added to the client's environment. */
    Result run(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(CLIENT, all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.server.dir=" + serverDir);
        List<String> server = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        server.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        server.addAll(1, serverProperties);
        command.add(1, "-Disola.server.command=" + String.join(" ", server));
        command.addAll(1, clientProperties);
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("ISOLA_SERVER_IDLE", "60");
        builder.environment().remove("ISOLA_SERVER");
        builder.environment().putAll(env);
        Process client = builder.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(client.getErrorStream()));
        String out = read(client.getInputStream());
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the client did not exit");
        return new Result(client.exitValue(), out, err.join());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws Exception {
        StringWriter out = new StringWriter();
        Main.execute(
                new String[] {"--root", root.toString(), "ps", "-a", "-q"},
                new PrintWriter(out),
                new PrintWriter(new StringWriter()));
        for (String id : out.toString().lines().toList()) {
            Main.execute(
                    new String[] {"--root", root.toString(), "rm", "-f", id},
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()));
        }
        if (ownServer) {
            ResidentServers.stopAll(serverDir);
        }
    }
}
