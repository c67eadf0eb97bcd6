package io.isola.launcher.registry;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real registry for tests: Debian's docker-registry (the CNCF distribution registry) on
 * 127.0.0.1 and a free port, storing in a directory of the test's, with htpasswd (Basic) auth
 * or token auth (a {@link TokenServer}) when asked. Images go in with skopeo, as a user would push them. Close stops it.
 */
public final class LocalRegistry implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    public static final Path SKOPEO = Path.of("/usr/bin/skopeo");
    public static final String USER = "tester", PASSWORD = "isola-test-password";
    /** bcrypt of {@link #PASSWORD} (cost 5), the one hash htpasswd auth reads. */
    private static final String HASH = "$2b$05$ZR5YJSRv6AfpdpoLjxiHterheZ4tCXO51Krz5dVdnsXokupjlgOM6";

    private final Process process;
    private final int port;
    private final Path log;

    private LocalRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY) && Files.isExecutable(SKOPEO);
    }

    /** Starts a registry in {@code dir}; with {@code basicAuth}, it wants {@link #USER} and {@link #PASSWORD}. */
    public static LocalRegistry start(Path dir, boolean basicAuth) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String auth = "";
        if (basicAuth) {
            Files.writeString(dir.resolve("htpasswd"), USER + ":" + HASH + "\n");
            auth = "auth:\n  htpasswd:\n    realm: isola-test\n    path: " + dir.resolve("htpasswd") + "\n";
        }
        return start(dir, auth);
    }

    /** Starts a registry in {@code dir} that wants bearer tokens from {@code tokens} (its {@code token} auth). */
    public static LocalRegistry startWithTokens(Path dir, TokenServer tokens) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        return start(
                dir,
                "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + TokenServer.SERVICE
                        + "\n    issuer: " + TokenServer.ISSUER + "\n    rootcertbundle: " + tokens.certificate()
                        + "\n");
    }

    private static LocalRegistry start(Path dir, String auth) throws IOException, InterruptedException {
        int port = freePort();
        StringBuilder config = new StringBuilder(
                        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ")
                .append(dir.resolve("data"))
                .append("\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:")
                .append(port)
                .append('\n')
                .append(auth);
        Path file = Files.writeString(dir.resolve("config.yml"), config);
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(BINARY.toString(), "serve", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LocalRegistry registry = new LocalRegistry(process, port, log);
        registry.awaitReady();
        return registry;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited: " + Files.readString(log));
            }
            try {
                http.send(
                        HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        close();
        throw new IOException("docker-registry did not answer on " + host() + " in 20 s: " + Files.readString(log));
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Pushes an image archive ({@code docker-archive:} or {@code oci-archive:} with its path) to
     * {@code repository:tag}; {@code copyOptions} go to skopeo copy ("--dest-compress-format", "zstd").
     */
    public void push(String source, String repositoryAndTag, boolean withCredentials, String... copyOptions)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of(SKOPEO.toString(), "--insecure-policy", "copy", "-q", "--dest-tls-verify=false"));
        command.addAll(List.of(copyOptions));
        if (withCredentials) {
            command.add("--dest-creds=" + USER + ":" + PASSWORD);
        }
        command.add(source);
        command.add("docker://" + host() + "/" + repositoryAndTag);
        Process skopeo = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(skopeo.getInputStream().readAllBytes(), UTF_8);
        if (!skopeo.waitFor(120, TimeUnit.SECONDS) || skopeo.exitValue() != 0) {
            skopeo.destroyForcibly();
            throw new IOException("skopeo copy " + source + " failed: " + output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
