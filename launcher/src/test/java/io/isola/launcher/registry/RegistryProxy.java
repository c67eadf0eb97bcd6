package io.isola.launcher.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A proxy on 127.0.0.1 in front of a {@link LocalRegistry}, for what the registry alone does not
 * do: the token flow (401 with a Bearer challenge naming the proxy's own /token, which gives a
 * token to the right Basic credentials, or to anyone when {@code anonymousTokens}), and a
 * connection that breaks in the middle of a blob ({@link #cutBlobs}). It records the paths asked for.
 */
public final class RegistryProxy implements AutoCloseable {

    private static final String TOKEN = "token-for-isola-tests";

    private final HttpServer server;
    private final String upstream;
    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final boolean bearer;
    private final boolean anonymousTokens;
    private volatile boolean cutBlobs;
    private volatile boolean corruptBlobs;
    public final List<String> requests = new CopyOnWriteArrayList<>();

    private RegistryProxy(String upstream, boolean bearer, boolean anonymousTokens) throws IOException {
        this.upstream = upstream;
        this.bearer = bearer;
        this.anonymousTokens = anonymousTokens;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A proxy that only forwards. */
    public static RegistryProxy plain(LocalRegistry registry) throws IOException {
        return new RegistryProxy(registry.host(), false, false);
    }

    /** A proxy that wants bearer tokens, for {@link LocalRegistry#USER} only or for anyone. */
    public static RegistryProxy tokens(LocalRegistry registry, boolean anonymous) throws IOException {
        return new RegistryProxy(registry.host(), true, anonymous);
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on, the connection of every blob over 64 kB (a layer) breaks after half of it. */
    public void cutBlobs(boolean cut) {
        cutBlobs = cut;
    }

    /** From now on, every blob over 64 kB (a layer) has one byte in its middle changed. */
    public void corruptBlobs(boolean corrupt) {
        corruptBlobs = corrupt;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            requests.add(path);
            if (path.equals("/token")) {
                token(exchange);
                return;
            }
            if (bearer
                    && !("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                String scope = exchange.getRequestURI().getPath().matches("/v2/.+/(manifests|blobs)/.*")
                        ? ",scope=\"repository:"
                                + exchange.getRequestURI()
                                        .getPath()
                                        .replaceFirst("^/v2/(.+)/(manifests|blobs)/.*$", "$1")
                                + ":pull\""
                        : "";
                exchange.getResponseHeaders()
                        .add(
                                "WWW-Authenticate",
                                "Bearer realm=\"http://" + host() + "/token\",service=\"isola-test\"" + scope);
                send(
                        exchange,
                        401,
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }
            forward(exchange, path);
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        String expected = "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                (LocalRegistry.USER + ":" + LocalRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8));
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        if (!anonymousTokens && !expected.equals(given)) {
            send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        send(exchange, 200, "{\"token\":\"" + TOKEN + "\",\"expires_in\":300}");
    }

    private void forward(HttpExchange exchange, String path) throws IOException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://" + upstream + exchange.getRequestURI()));
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        if (accept != null) {
            request.header("Accept", accept);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        response.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-length")
                    && !name.equalsIgnoreCase("transfer-encoding")
                    && !name.equalsIgnoreCase("connection")
                    && !name.equalsIgnoreCase("date")) {
                values.forEach(value -> exchange.getResponseHeaders().add(name, value));
            }
        });
        try (InputStream body = response.body()) {
            byte[] content = body.readAllBytes();
            boolean layer = path.contains("/blobs/") && content.length > (64 << 10);
            boolean cut = cutBlobs && layer;
            if (corruptBlobs && layer) {
                content[content.length / 2] ^= 1;
            }
            exchange.sendResponseHeaders(response.statusCode(), content.length == 0 ? -1 : content.length);
            OutputStream out = exchange.getResponseBody();
            out.write(content, 0, cut ? content.length / 2 : content.length);
            out.flush();
            if (cut) {
                throw new IOException("cut in the middle of " + path);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** How many requests asked for a blob. */
    public long blobRequests() {
        return requests.stream().filter(path -> path.contains("/blobs/")).count();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
