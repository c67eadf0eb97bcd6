package io.isola.launcher.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The token flow of the distribution spec: {@code GET REALM?service=SERVICE&scope=SCOPE}, with
 * the user's Basic credentials when there are any (else anonymous), answered by {@code {"token":
 * ...}} or {@code {"access_token": ...}}. Credentials go to a realm over HTTPS only, unless TLS
 * verification is off (a test or loopback registry).
 */
final class TokenRequest {

    private final AuthChallenge challenge;
    private final String repository;
    private final Optional<DockerConfig.Credentials> credentials;
    private final boolean tlsVerify;
    private final String where;
    private final String actions;

    TokenRequest(
            AuthChallenge challenge,
            String repository,
            Optional<DockerConfig.Credentials> credentials,
            boolean tlsVerify,
            String where,
            String actions) {
        this.actions = actions;
        this.challenge = challenge;
        this.repository = repository;
        this.credentials = credentials;
        this.tlsVerify = tlsVerify;
        this.where = where;
    }

    String fetch(HttpClient http) throws IOException {
        URI realm;
        try {
            realm = URI.create(challenge.realm());
        } catch (IllegalArgumentException e) {
            throw new RegistryException(where + ": token realm \"" + challenge.realm() + "\" is not a URL");
        }
        if (!"https".equals(realm.getScheme()) && !"http".equals(realm.getScheme())) {
            throw new RegistryException(where + ": token realm \"" + realm + "\": expected an https:// URL");
        }
        StringBuilder url =
                new StringBuilder(challenge.realm()).append(challenge.realm().contains("?") ? '&' : '?');
        String service = challenge.parameters().get("service");
        if (service != null) {
            url.append(RegistryClient.query("service", service)).append('&');
        }
        // a login's GET /v2/ asks for no repository: then no scope, as Docker's login asks
        String scope = challenge
                .parameters()
                .getOrDefault("scope", repository.isEmpty() ? "" : "repository:" + repository + ":" + actions);
        if (!scope.isEmpty()) {
            url.append(RegistryClient.query("scope", scope));
        }
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url.toString())).GET().timeout(Duration.ofSeconds(60));
        if (credentials.isPresent()) {
            if (tlsVerify && !"https".equals(realm.getScheme())) {
                throw new RegistryException(where + ": token realm " + realm
                        + " is plain HTTP; credentials are sent only over HTTPS (or with --tls-verify=false)");
            }
            request.header("Authorization", "Basic " + credentials.get().basic());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while asking " + realm + " for a token");
        } catch (ConnectException e) {
            throw new RegistryException(where + ": cannot connect to its token service " + realm, e);
        }
        if (response.statusCode() != 200) {
            String detail = RegistryErrors.describe(response);
            throw new RegistryException(where + ": its token service " + realm + " refused "
                    + credentials.map(c -> "user " + c.user()).orElse("an anonymous request")
                    + (scope.isEmpty() ? "" : " for " + scope)
                    + " (HTTP " + response.statusCode() + detail + ")"
                    + (credentials.isEmpty() ? "; run 'isola login' if the repository is private" : ""));
        }
        JsonNode answer =
                RegistryClient.JSON.readTree(Bounded.read(response.body(), RegistryClient.MAX_METADATA_BYTES, "token"));
        String token = answer.path("token").asText(answer.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new RegistryException(where + ": its token service " + realm + " answered without a token");
        }
        return token;
    }
}
