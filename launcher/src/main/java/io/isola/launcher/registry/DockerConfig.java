package io.isola.launcher.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.launcher.server.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
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

    /** A credentials file is a few hundred bytes; the bound keeps {@code --authfile /dev/zero} from filling memory. */
    private static final int MAX_BYTES = 1 << 20;

    private final Path file;
    /** Named by the user ({@code --authfile}): it must exist. */
    private final boolean named;

    public DockerConfig(Path file) {
        this(file, false);
    }

    private DockerConfig(Path file, boolean named) {
        this.file = file;
        this.named = named;
    }

    /**
     * The file Docker reads: {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json};
     * the system property {@code isola.docker.config} (a directory) comes first, as {@code
     * isola.root} does for the store, so that a test keeps its logins to itself. In the resident
     * server, {@code DOCKER_CONFIG} is the client's, and relative to the client's directory: the credentials are the caller's. The server
     * runs as the caller's uid (it serves no other, by SO_PEERCRED or the FIFOs' owner), so it
     * reads exactly what the caller may read, never more.
     */
    public static DockerConfig fromEnvironment() {
        String dir = System.getProperty("isola.docker.config", Invocation.getenv("DOCKER_CONFIG"));
        if (dir == null || dir.isEmpty()) {
            return new DockerConfig(Path.of(System.getProperty("user.home"), ".docker", "config.json"));
        }
        Invocation served = Invocation.current();
        // a relative directory is the client's, as --authfile is: the server's own directory is not the caller's
        Path base = served == null ? Path.of("") : served.cwd();
        return new DockerConfig(base.resolve(dir).resolve("config.json"));
    }

    /** {@code authfile} when the user named one (podman's {@code --authfile}, Docker's format), else {@link #fromEnvironment}. */
    public static DockerConfig named(Path authfile) {
        return authfile == null ? fromEnvironment() : new DockerConfig(authfile, true);
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
        JsonNode root;
        try {
            root = JSON.readTree(content());
        } catch (JacksonException e) {
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

    /**
     * The file's bytes; none when Docker's default file is not there. A file that cannot be read
     * is an error, not an anonymous pull: the caller would only see the registry refuse it.
     */
    private byte[] content() throws IOException {
        try {
            if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
                throw new IOException(file + " is not a regular file: expected a JSON file of credentials");
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    throw new IOException(
                            file + " is larger than " + MAX_BYTES + " bytes: expected a JSON file of credentials");
                }
                return bytes;
            }
        } catch (NoSuchFileException e) {
            if (named) {
                throw new IOException(
                        file + ": no such file (--authfile names a file of credentials as 'isola login' writes them)");
            }
            return new byte[0];
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read " + file + ": permission denied");
        }
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
