package io.isola.launcher.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The token server that the distribution registry's {@code token} auth trusts (it issues none
 * itself): on 127.0.0.1, it answers {@code GET /token?service=...&scope=...} with a JWT (RS256,
 * the certificate in its x5c header) granting the scope's actions to {@link LocalRegistry#USER}
 * with {@link LocalRegistry#PASSWORD}, and nothing to anyone else, as a private repository's
 * token server does. The key and the self-signed certificate the registry trusts
 * ({@link #certificate()}) are made by the JDK's keytool. It records the scopes asked for.
 */
public final class TokenServer implements AutoCloseable {

    public static final String SERVICE = "isola-test-registry", ISSUER = "isola-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final HttpServer server;
    private final PrivateKey key;
    private final byte[] certificateDer;
    private final Path certificate;
    public final List<String> scopes = new CopyOnWriteArrayList<>();

    private TokenServer(Path dir) throws Exception {
        Path store = dir.resolve("token-key.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "token",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=" + ISSUER,
                "-validity",
                "2",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "isola-test");
        certificate = dir.resolve("token-cert.pem");
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "token",
                "-keystore",
                store.toString(),
                "-storepass",
                "isola-test",
                "-file",
                certificate.toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "isola-test".toCharArray());
        }
        key = (PrivateKey) keys.getKey("token", "isola-test".toCharArray());
        Certificate cert = keys.getCertificate("token");
        certificateDer = cert.getEncoded();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/token", this::token);
        server.start();
    }

    /** Makes a key and certificate in {@code dir} and starts serving tokens. */
    public static TokenServer start(Path dir) throws Exception {
        Files.createDirectories(dir);
        return new TokenServer(dir);
    }

    /** The realm to name in the registry's configuration. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The PEM certificate the registry's rootcertbundle names. */
    public Path certificate() {
        return certificate;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getRawQuery();
            String expected = "Basic "
                    + Base64.getEncoder()
                            .encodeToString((LocalRegistry.USER + ":" + LocalRegistry.PASSWORD)
                                    .getBytes(StandardCharsets.UTF_8));
            boolean known = expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
            if (exchange.getRequestHeaders().containsKey("Authorization") && !known) {
                send(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                return;
            }
            ArrayNode access = JSON.createArrayNode();
            for (String parameter : query == null ? new String[0] : query.split("&")) {
                if (parameter.startsWith("scope=")) {
                    String scope = URLDecoder.decode(parameter.substring(6), StandardCharsets.UTF_8);
                    scopes.add(scope);
                    String[] parts = scope.split(":"); // repository:NAME:ACTIONS
                    if (known && parts.length == 3) {
                        ObjectNode entry =
                                access.addObject().put("type", parts[0]).put("name", parts[1]);
                        for (String action : parts[2].split(",")) {
                            entry.withArray("actions").add(action);
                        }
                    }
                }
            }
            String token = jwt(known ? LocalRegistry.USER : "", access);
            send(
                    exchange,
                    200,
                    JSON.createObjectNode()
                            .put("token", token)
                            .put("access_token", token)
                            .put("expires_in", 300)
                            .put("issued_at", Instant.now().toString())
                            .toString());
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private String jwt(String subject, ArrayNode access) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificateDer));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", ISSUER)
                .put("sub", subject)
                .put("aud", SERVICE)
                .put("exp", now + 300)
                .put("nbf", now - 10)
                .put("iat", now)
                .put("jti", UUID.randomUUID().toString());
        claims.set("access", access);
        String signed = URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + URL.encodeToString(JSON.writeValueAsBytes(claims));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + URL.encodeToString(rsa.sign());
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
