package io.isola.launcher.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client half of the OCI distribution spec that a pull (and a login) needs, on the JDK's
 * HTTP client: {@code GET /v2/}, manifests by tag or digest, blobs as streams. A 401 is answered
 * once per request from its {@code WWW-Authenticate}: a bearer token fetched from the realm it
 * names (anonymously, or with the stored user and password), or the user and password themselves
 * for {@code Basic}. Redirects (blob stores, CDNs) are followed by hand so that the registry's
 * Authorization never goes to another host. HTTPS, verified, unless {@code tlsVerify} is false:
 * then HTTPS without verifying the certificate, and plain HTTP when the registry does not speak TLS.
 */
public final class RegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);
    static final ObjectMapper JSON = new ObjectMapper();
    /** Manifests, indexes, configs and token answers are kilobytes; a larger one is hostile. */
    public static final int MAX_METADATA_BYTES = 4 << 20;

    public static final List<String> MANIFEST_TYPES =
            List.of(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_LIST, MediaTypes.DOCKER_MANIFEST);

    /** A manifest or an index as the registry sent it, with the digest of those bytes. */
    public record Manifest(byte[] content, String mediaType, String digest) {}

    private final String registry;
    private final String host;
    private final String repository;
    private final Optional<DockerConfig.Credentials> credentials;
    private final boolean tlsVerify;
    private final HttpClient http;
    private volatile String scheme; // volatile: a pull fetches layers on several threads
    private volatile String authorization;
    /** What a token is asked for when the challenge names no scope: pull, or pull,push for a push. */
    private String actions = "pull";

    public RegistryClient(ImageReference image, Optional<DockerConfig.Credentials> credentials, boolean tlsVerify) {
        this(image.registry(), image.apiHost(), image.repository(), credentials, tlsVerify);
    }

    public RegistryClient(
            String registry,
            String host,
            String repository,
            Optional<DockerConfig.Credentials> credentials,
            boolean tlsVerify) {
        this.registry = registry;
        this.host = host;
        this.repository = repository;
        this.credentials = credentials;
        this.tlsVerify = tlsVerify;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1);
        if (!tlsVerify) {
            builder.sslContext(TrustingSsl.context());
        }
        this.http = builder.build();
        this.scheme = tlsVerify ? "https" : null;
    }

    /** This client asks for tokens to push as well as pull. */
    public RegistryClient forPush() {
        actions = "pull,push";
        return this;
    }

    /** {@code GET /v2/}: whether the registry answers and accepts these credentials. */
    public void ping() throws IOException {
        try (InputStream body = ok(send("/v2/", null), "the API check").body()) {
            body.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** The manifest or index {@code reference} (a tag or a digest) names; its digest checked when it is one. */
    public Manifest manifest(String reference) throws IOException {
        HttpResponse<InputStream> response = ok(
                send("/v2/" + repository + "/manifests/" + reference, String.join(", ", MANIFEST_TYPES)),
                "manifest " + reference);
        byte[] content = Bounded.read(response.body(), MAX_METADATA_BYTES, "manifest " + reference);
        String digest = Digests.sha256(content);
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
            throw new IOException(where() + ": manifest " + reference + ": the content's digest is " + digest);
        }
        String type = response.headers()
                .firstValue("Content-Type")
                .map(t -> t.replaceFirst(";.*", "").trim())
                .orElse("");
        if (!MANIFEST_TYPES.contains(type)) {
            JsonNode node = JSON.readTree(content); // some registries send application/json: the manifest says its type
            type = node == null
                    ? ""
                    : node.path("mediaType")
                            .asText(node.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST);
        }
        return new Manifest(content, type, digest);
    }

    /** The blob {@code digest} as a stream of its bytes, with its length when the registry said it (else -1); the caller checks the digest. */
    public Blob blob(String digest) throws IOException {
        HttpResponse<InputStream> response = ok(send("/v2/" + repository + "/blobs/" + digest, null), "blob " + digest);
        return new Blob(
                response.body(),
                response.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    /** A blob's stream and its length (-1 when unknown). */
    public record Blob(InputStream content, long length) {}

    /** A small blob (a config), read whole and checked against its digest. */
    public byte[] smallBlob(String digest) throws IOException {
        Blob blob = blob(digest);
        byte[] content = Bounded.read(blob.content(), MAX_METADATA_BYTES, "blob " + digest);
        String actual = Digests.sha256(content);
        if (!actual.equals(digest)) {
            throw new IOException(where() + ": blob " + digest + ": the content's digest is " + actual);
        }
        return content;
    }

    /** Whether the repository holds the blob {@code digest} already ({@code HEAD}). */
    public boolean hasBlob(String digest) throws IOException {
        HttpResponse<InputStream> response =
                send("HEAD", base().resolve("/v2/" + repository + "/blobs/" + digest), null, null, null);
        response.body().close();
        if (response.statusCode() == 200) {
            return true;
        }
        if (response.statusCode() == 404) {
            return false;
        }
        ok(response, "blob " + digest);
        return false;
    }

    /** Uploads {@code content} as the blob {@code digest}, in one request ({@code POST} then {@code PUT ?digest=}). */
    public void upload(String digest, HttpRequest.BodyPublisher content) throws IOException {
        HttpResponse<InputStream> started = ok(
                send("POST", base().resolve("/v2/" + repository + "/blobs/uploads/"), null, null, null),
                "upload of blob " + digest);
        started.body().close();
        String location = started.headers()
                .firstValue("Location")
                .orElseThrow(() -> new RegistryException(
                        where() + ": the upload of blob " + digest + " was answered without a Location"));
        URI at = base().resolve(location);
        URI put = URI.create(at + (at.getRawQuery() == null ? "?" : "&") + query("digest", digest));
        ok(send("PUT", put, null, content, "application/octet-stream"), "upload of blob " + digest)
                .body()
                .close();
    }

    /** Stores {@code content} as the manifest {@code tag}; returns its digest. */
    public String putManifest(String tag, byte[] content, String mediaType) throws IOException {
        ok(
                        send(
                                "PUT",
                                base().resolve("/v2/" + repository + "/manifests/" + tag),
                                null,
                                HttpRequest.BodyPublishers.ofByteArray(content),
                                mediaType),
                        "manifest " + tag)
                .body()
                .close();
        return Digests.sha256(content);
    }

    private String where() {
        return "registry " + registry;
    }

    private HttpResponse<InputStream> ok(HttpResponse<InputStream> response, String what) throws IOException {
        int status = response.statusCode();
        if (status / 100 == 2) {
            return response;
        }
        String detail = RegistryErrors.describe(response);
        if (status == 401 || status == 403) {
            throw new RegistryException(
                    where() + ": " + what + " of " + repository + ": access denied (HTTP " + status + detail
                            + ")"
                            + (credentials.isPresent()
                                    ? " for user " + credentials.get().user()
                                    : "; if the repository is private, run 'isola login " + registry + "'"));
        }
        if (status == 404) {
            throw new RegistryException(
                    where() + ": " + what + " of " + repository + ": not found (HTTP 404" + detail + ")");
        }
        throw new RegistryException(where() + ": " + what + " of " + repository + ": HTTP " + status + detail);
    }

    /** GET {@code path}, answering one 401 and following up to five redirects. */
    private HttpResponse<InputStream> send(String path, String accept) throws IOException {
        return send("GET", base().resolve(path), accept, null, null);
    }

    /** {@code method} on {@code uri} with {@code body} (or none), answering one 401 and following up to five redirects. */
    private HttpResponse<InputStream> send(
            String method, URI start, String accept, HttpRequest.BodyPublisher body, String contentType)
            throws IOException {
        URI uri = start;
        boolean authenticated = false;
        for (int redirects = 0; ; ) {
            boolean ours = uri.getHost() != null && uri.getRawAuthority().equalsIgnoreCase(host);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(method.equals("GET") ? 60 : 600))
                    .method(method, body != null ? body : HttpRequest.BodyPublishers.noBody());
            if (accept != null) {
                request.header("Accept", accept);
            }
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            if (ours && authorization != null) {
                request.header("Authorization", authorization);
            }
            LOG.debug("{} {}", method, uri);
            HttpResponse<InputStream> response = call(request.build());
            int status = response.statusCode();
            if (status == 401 && ours && !authenticated) {
                response.body().close();
                authenticate(AuthChallenge.parse(
                        response.headers().firstValue("WWW-Authenticate").orElse(null)));
                authenticated = true;
                continue;
            }
            Optional<String> location = response.headers().firstValue("Location");
            if (method.equals("GET") && List.of(301, 302, 303, 307, 308).contains(status) && location.isPresent()) {
                response.body().close();
                if (++redirects > 5) {
                    throw new RegistryException(where() + ": more than 5 redirects for " + start);
                }
                uri = uri.resolve(location.get());
                continue;
            }
            return response;
        }
    }

    private HttpResponse<InputStream> call(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while talking to " + where());
        } catch (ConnectException e) {
            throw new RegistryException(
                    where() + ": cannot connect to " + request.uri().getRawAuthority() + " ("
                            + (e.getMessage() == null ? "connection refused" : e.getMessage()) + ")",
                    e);
        }
    }

    /**
     * The registry's root URL. Without TLS verification, the first of HTTPS and plain HTTP that
     * answers {@code GET /v2/} (a TLS server answers plain HTTP with 400): HTTPS first, as Docker
     * and podman try insecure registries, but plain HTTP first on loopback, where no one is in
     * the middle and a plain server may never answer a TLS hello.
     */
    private URI base() throws IOException {
        if (scheme == null) {
            List<String> order = ImageReference.isLoopback(host) ? List.of("http", "https") : List.of("https", "http");
            IOException failure = null;
            for (String candidate : order) {
                try {
                    HttpResponse<InputStream> probe =
                            call(HttpRequest.newBuilder(URI.create(candidate + "://" + host + "/v2/"))
                                    .GET()
                                    .timeout(Duration.ofSeconds(30))
                                    .build());
                    probe.body().close();
                    if (probe.statusCode() != 400) {
                        scheme = candidate;
                        break;
                    }
                    failure =
                            new RegistryException(where() + ": " + candidate + "://" + host + "/v2/ answered HTTP 400");
                } catch (SSLException | RegistryException e) {
                    LOG.debug("{} does not answer {} ({})", host, candidate, e.toString());
                    failure = e;
                }
            }
            if (scheme == null) {
                throw failure;
            }
        }
        return URI.create(scheme + "://" + host);
    }

    private void authenticate(AuthChallenge challenge) throws IOException {
        if (challenge == null) {
            throw new RegistryException(where() + " answered 401 without a WWW-Authenticate challenge");
        }
        if (challenge.isBasic()) {
            DockerConfig.Credentials user = credentials.orElseThrow(() -> new RegistryException(
                    where() + " asks for a user name and password: run 'isola login " + registry + "'"));
            authorization = "Basic " + user.basic();
            return;
        }
        if (!challenge.isBearer() || challenge.realm() == null) {
            throw new RegistryException(where() + ": unsupported authentication \"" + challenge.scheme()
                    + "\": expected Bearer with a realm, or Basic");
        }
        authorization = "Bearer "
                + new TokenRequest(challenge, repository, credentials, tlsVerify, where(), actions).fetch(http);
    }

    /** The value of a query parameter. */
    static String query(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
