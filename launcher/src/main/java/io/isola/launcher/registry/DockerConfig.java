package io.isola.launcher.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

/**
 * Registry credentials where Docker keeps them, so that a {@code docker login} works for isola and
 * an {@code isola login} for Docker: {@code $DOCKER_CONFIG/config.json}, else {@code
 * ~/.docker/config.json}, {@code "auths": {"HOST": {"auth": base64(USER:PASSWORD)}}}, Docker Hub's
 * under {@code https://index.docker.io/v1/}. Writing keeps every other field of the file; the
 * file is 0600 and its directory 0700, as Docker makes them. Credential helpers ({@code
 * credsStore}, {@code credHelpers}) are not run: their registries are reached anonymously.
 */
public final class DockerConfig {

    private static final String HUB_KEY = "https://index.docker.io/v1/";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A user name and a password (or token) for one registry. */
    public record Credentials(String user, String password) {
        String basic() {
            return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Credentials[" + user + "]"; // never the password, whatever logs it
        }
    }

    private final Path file;

    public DockerConfig(Path file) {
        this.file = file;
    }

    /**
     * The file Docker reads: {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json};
     * the system property {@code isola.docker.config} (a directory) comes first, as {@code
     * isola.root} does for the store, so that a test keeps its logins to itself.
     */
    public static DockerConfig fromEnvironment() {
        String dir = System.getProperty("isola.docker.config", System.getenv("DOCKER_CONFIG"));
        return new DockerConfig(
                dir != null && !dir.isEmpty()
                        ? Path.of(dir, "config.json")
                        : Path.of(System.getProperty("user.home"), ".docker", "config.json"));
    }

    public Path file() {
        return file;
    }

    /** The credentials stored for {@code registry} (a host, or docker.io), if any. */
    public Optional<Credentials> credentials(String registry) throws IOException {
        JsonNode auths = read().path("auths");
        for (String key : keys(registry)) {
            JsonNode entry = auths.get(key);
            if (entry != null && entry.hasNonNull("auth")) {
                String decoded;
                try {
                    decoded = new String(
                            Base64.getDecoder().decode(entry.get("auth").asText()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": the \"auth\" of \"" + key + "\" is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new IOException(file + ": the \"auth\" of \"" + key + "\" is not base64 of USER:PASSWORD");
                }
                return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
            }
        }
        return Optional.empty();
    }

    /** Stores {@code credentials} for {@code registry}, replacing what was there. */
    public void store(String registry, Credentials credentials) throws IOException {
        ObjectNode root = read();
        ObjectNode auths = root.has("auths") && root.get("auths").isObject()
                ? (ObjectNode) root.get("auths")
                : root.putObject("auths");
        for (String key : keys(registry)) {
            auths.remove(key);
        }
        auths.putObject(keys(registry)[0]).put("auth", credentials.basic());
        write(root);
    }

    /** Forgets the credentials of {@code registry}; false when there were none. */
    public boolean remove(String registry) throws IOException {
        ObjectNode root = read();
        if (!(root.get("auths") instanceof ObjectNode auths)) {
            return false;
        }
        boolean removed = false;
        for (String key : keys(registry)) {
            removed |= auths.remove(key) != null;
        }
        if (removed) {
            write(root);
        }
        return removed;
    }

    /** The keys Docker files a registry under: Hub's URL, or the host, also as an https:// URL. */
    private static String[] keys(String registry) {
        if (registry.equals(ImageReference.DOCKER_HUB)) {
            return new String[] {HUB_KEY, "index.docker.io", "docker.io", "registry-1.docker.io"};
        }
        return new String[] {registry, "https://" + registry, "http://" + registry, "https://" + registry + "/v2/"};
    }

    private ObjectNode read() throws IOException {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            return JSON.createObjectNode();
        }
        if (!(root instanceof ObjectNode object)) {
            throw new IOException(file + ": expected a JSON object");
        }
        return object;
    }

    private void write(ObjectNode root) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path partial = Files.createTempFile(
                dir,
                ".config",
                ".json",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try { // made 0600 and renamed over the old file: no moment when another user could read it
            JSON.writeValue(partial.toFile(), root);
            Files.move(
                    partial,
                    file.toAbsolutePath(),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
