package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.launcher.image.ImageArchives;
import io.isola.launcher.registry.LocalRegistry;
import io.isola.launcher.registry.RegistryProxy;
import io.isola.launcher.registry.TokenServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code isola pull} from a real registry on loopback (Debian's docker-registry, filled by skopeo
 * from the busybox images the tests build), anonymous, with htpasswd auth, with the registry's
 * token auth and a token server of the tests', behind a token proxy, by tag, digest and platform
 * of an index, with gzip and zstd layers; the pulled image runs, and a pull broken in the middle
 * of a layer leaves the store whole.
 */
class RegistryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHECK = "test \"$(cat /etc/lower)\" = lower && test \"$(cat /etc/upper)\" = upper"
            + " && ! test -e /etc/gone && test \"$FROM_IMAGE\" = 1";

    @TempDir
    Path tmp;

    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    @BeforeEach
    void store() {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        assumeTrue(
                LocalRegistry.available(),
                "no docker-registry or skopeo (install the packages docker-registry and skopeo)");
        System.setProperty("isola.root", tmp.resolve("store").toString());
        System.setProperty("isola.docker.config", tmp.resolve("docker").toString());
    }

    @AfterEach
    void clear() {
        System.clearProperty("isola.root");
        System.clearProperty("isola.docker.config");
    }

    private int isola(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private Path archive(String name, List<String> cmd) throws Exception {
        return ImageArchives.dockerSave(tmp.resolve(name + ".tar"), "test/" + name + ":1", false, cmd, null);
    }

    @Test
    void anonymousPullByTagAndDigestRunsAndFetchesNoLayerTwice() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), false);
                RegistryProxy proxy = RegistryProxy.plain(registry)) {
            registry.push("docker-archive:" + archive("busybox", List.of("/bin/sh")), "test/busybox:1", false);
            String name = proxy.host() + "/test/busybox:1";

            assertEquals(0, isola("pull", name), err::toString);
            assertTrue(out.toString().contains(": Pull complete"), out::toString);
            assertTrue(out.toString().endsWith(name + System.lineSeparator()), out::toString);
            assertEquals(3, proxy.blobRequests(), "a config and two layers: " + proxy.requests);
            assertEquals(0, isola("run", "--rm", name, "/bin/sh", "-c", CHECK), err::toString);

            assertEquals(0, isola("pull", name), err::toString);
            assertTrue(
                    out.toString().contains(": Already exists")
                            && out.toString().contains("Image is up to date for " + name),
                    out::toString);
            assertEquals(4, proxy.blobRequests(), "the layers were fetched again: " + proxy.requests);

            String digest = digestOf(out.toString());
            String byDigest = proxy.host() + "/test/busybox@" + digest;
            assertEquals(0, isola("image", "rm", name), err::toString);
            assertEquals(0, isola("pull", "-q", byDigest), err::toString);
            assertEquals(byDigest + System.lineSeparator(), out.toString());
            assertEquals(0, isola("run", "--rm", "--image", byDigest, "/bin/sh", "-c", CHECK), err::toString);
            assertNoScratch();
        }
    }

    @Test
    void runPullsAMissingImageUnlessToldNever() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), false)) {
            registry.push("docker-archive:" + archive("busybox", List.of("/bin/sh")), "test/busybox:1", false);
            String name = registry.host() + "/test/busybox:1";

            assertEquals(Main.RUNTIME_ERROR, isola("run", "--rm", "--pull", "never", name, "/bin/sh", "-c", CHECK));
            assertTrue(err.toString().contains("not in the store"), err::toString);
            assertEquals(Main.RUNTIME_ERROR, isola("run", "--rm", "--pull", "sometimes", name, "true"));
            assertTrue(err.toString().contains("expected missing, always or never"), err::toString);

            assertEquals(0, isola("run", "--rm", name, "/bin/sh", "-c", CHECK), err::toString);
            assertTrue(err.toString().contains("Unable to find image '" + name + "' locally"), err::toString);
            assertEquals(0, isola("run", "--rm", "--pull", "always", name, "/bin/sh", "-c", CHECK), err::toString);
            assertTrue(err.toString().contains("Image is up to date"), err::toString);
        }
    }

    @Test
    void anIndexGivesTheHostsPlatformOrTheOneAskedFor() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), false)) {
            registry.push("docker-archive:" + archive("amd", List.of("/bin/sh")), "test/multi:amd", false);
            registry.push("docker-archive:" + archive("arm", List.of("/bin/echo", "arm")), "test/multi:arm", false);
            putIndex(registry, "test/multi", "both", List.of("amd", "arm"), List.of("amd64", "arm64"));
            String name = registry.host() + "/test/multi:both";

            assertEquals(0, isola("pull", "--platform", "linux/arm64", name), err::toString);
            assertEquals(0, isola("image", "ls"), err::toString);
            String arm = idOf(name);
            assertEquals(0, isola("pull", name), err::toString);
            String amd = idOf(name);
            assertNotEquals(arm, amd);
            assertEquals(0, isola("run", "--rm", name, "/bin/sh", "-c", CHECK), err::toString);
            assertEquals(0, isola("image", "rm", name), err::toString);
            assertEquals(
                    0, isola("run", "--rm", "--platform", "linux/arm64", name, "/bin/sh", "-c", CHECK), err::toString);
            assertEquals(arm, idOf(name), "run --platform pulled the arm64 image");

            assertEquals(Main.VERB_ERROR, isola("pull", "--platform", "linux/s390x", name));
            assertTrue(
                    err.toString().contains("no variant for linux/s390x; it has linux/amd64, linux/arm64"),
                    err::toString);
            assertEquals(Main.VERB_ERROR, isola("pull", "--platform", "s390x", name));
            assertTrue(err.toString().contains("platform \"s390x\": expected OS/ARCH[/VARIANT]"), err::toString);
        }
    }

    @Test
    void zstdLayersArePulledAndRun() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), false)) {
            registry.push(
                    "docker-archive:" + archive("busybox", List.of("/bin/sh")),
                    "test/zstd:1",
                    false,
                    "--format",
                    "oci",
                    "--dest-compress-format",
                    "zstd");
            String name = registry.host() + "/test/zstd:1";
            JsonNode manifest = JSON.readTree(HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://" + registry.host() + "/v2/test/zstd/manifests/1"))
                                    .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray())
                    .body());
            assertEquals(2, manifest.path("layers").size(), manifest::toString);
            for (JsonNode layer : manifest.path("layers")) {
                assertEquals(
                        "application/vnd.oci.image.layer.v1.tar+zstd",
                        layer.path("mediaType").asText(),
                        manifest::toString);
            }

            assertEquals(0, isola("pull", name), err::toString);
            assertTrue(out.toString().contains(": Pull complete"), out::toString);
            assertEquals(0, isola("run", "--rm", name, "/bin/sh", "-c", CHECK), err::toString);
            assertNoScratch();
        }
    }

    @Test
    void basicAuthNeedsALoginStoredAsDockerStoresItAndAPushedCopyPullsBackByDigest() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), true)) {
            registry.push("docker-archive:" + archive("busybox", List.of("/bin/sh")), "test/private:1", true);
            String name = registry.host() + "/test/private:1";

            assertEquals(Main.VERB_ERROR, isola("pull", name));
            assertTrue(err.toString().contains("isola login " + registry.host()), err::toString);
            assertEquals(Main.VERB_ERROR, isola("login", "-u", LocalRegistry.USER, "-p", "wrong", registry.host()));
            assertTrue(err.toString().contains("login to " + registry.host() + " failed"), err::toString);
            assertFalse(Files.exists(tmp.resolve("docker/config.json")));

            assertEquals(
                    0,
                    isola("login", "-u", LocalRegistry.USER, "-p", LocalRegistry.PASSWORD, registry.host()),
                    err::toString);
            JsonNode config = JSON.readTree(tmp.resolve("docker/config.json").toFile());
            assertEquals(
                    Base64.getEncoder()
                            .encodeToString((LocalRegistry.USER + ":" + LocalRegistry.PASSWORD).getBytes(UTF_8)),
                    config.path("auths").path(registry.host()).path("auth").asText());
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("docker/config.json"))));
            assertEquals(0, isola("pull", name), err::toString);
            assertEquals(0, isola("run", "--rm", name, "/bin/sh", "-c", CHECK), err::toString);

            String copy = registry.host() + "/test/copy:2";
            assertEquals(0, isola("tag", name, copy), err::toString);
            assertEquals(0, isola("push", copy), err::toString);
            assertTrue(out.toString().contains(": Pushed"), out::toString);
            String digest = digestOf(out.toString().replace("2: digest: ", "Digest: "));
            assertEquals(0, isola("push", copy), err::toString);
            assertTrue(out.toString().contains(": Layer already exists"), out::toString);
            assertEquals(0, isola("image", "rm", name, copy), err::toString);
            String byDigest = registry.host() + "/test/copy@" + digest;
            assertEquals(0, isola("pull", byDigest), err::toString);
            assertEquals(0, isola("run", "--rm", byDigest, "/bin/sh", "-c", CHECK), err::toString);

            assertEquals(0, isola("logout", registry.host()), err::toString);
            assertEquals(Main.VERB_ERROR, isola("push", copy));
            assertTrue(err.toString().contains("not in the store"), err::toString);
            assertTrue(JSON.readTree(tmp.resolve("docker/config.json").toFile())
                    .path("auths")
                    .isEmpty());
        }
    }

    @Test
    void bearerTokensAreFetchedFromTheRealmTheChallengeNames() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), false);
                RegistryProxy anonymous = RegistryProxy.tokens(registry, true);
                RegistryProxy privately = RegistryProxy.tokens(registry, false)) {
            registry.push("docker-archive:" + archive("busybox", List.of("/bin/sh")), "test/busybox:1", false);

            assertEquals(0, isola("pull", anonymous.host() + "/test/busybox:1"), err::toString);
            assertTrue(anonymous.requests.contains("/token"), anonymous.requests::toString);

            String name = privately.host() + "/test/busybox:1";
            assertEquals(Main.VERB_ERROR, isola("pull", name));
            assertTrue(
                    err.toString().contains("refused an anonymous request for repository:test/busybox:pull"),
                    err::toString);
            assertEquals(
                    0,
                    isola(
                            "login",
                            "--username",
                            LocalRegistry.USER,
                            "--password",
                            LocalRegistry.PASSWORD,
                            privately.host()),
                    err::toString);
            assertEquals(0, isola("pull", name), err::toString);
            assertEquals(0, isola("run", "--rm", name, "/bin/sh", "-c", CHECK), err::toString);
        }
    }

    @Test
    void theRegistrysOwnTokenAuthGrantsWhatTheTokenServerSignsAfterALogin() throws Exception {
        try (TokenServer tokens = TokenServer.start(tmp.resolve("tokens"));
                LocalRegistry registry = LocalRegistry.startWithTokens(tmp.resolve("registry"), tokens)) {
            registry.push("docker-archive:" + archive("busybox", List.of("/bin/sh")), "test/private:1", true);
            String name = registry.host() + "/test/private:1";

            assertEquals(Main.VERB_ERROR, isola("pull", name));
            assertTrue(err.toString().contains("isola login " + registry.host()), err::toString);
            assertEquals(Main.VERB_ERROR, isola("login", "-u", LocalRegistry.USER, "-p", "wrong", registry.host()));
            assertTrue(err.toString().contains("login to " + registry.host() + " failed"), err::toString);
            assertEquals(
                    0,
                    isola("login", "-u", LocalRegistry.USER, "-p", LocalRegistry.PASSWORD, registry.host()),
                    err::toString);
            assertEquals(0, isola("pull", name), err::toString);
            assertTrue(tokens.scopes.contains("repository:test/private:pull"), tokens.scopes::toString);

            String copy = registry.host() + "/test/copy:2";
            assertEquals(0, isola("tag", name, copy), err::toString);
            assertEquals(0, isola("push", copy), err::toString);
            assertTrue(
                    tokens.scopes.stream().anyMatch(s -> s.startsWith("repository:test/copy:") && s.contains("push")),
                    tokens.scopes::toString);
            String digest = digestOf(out.toString().replace("2: digest: ", "Digest: "));
            assertEquals(0, isola("image", "rm", name, copy), err::toString);
            String byDigest = registry.host() + "/test/copy@" + digest;
            assertEquals(0, isola("pull", byDigest), err::toString); // running it is the Basic-auth test's
            assertTrue(
                    out.toString().contains(": Pull complete") || out.toString().contains(": Already exists"),
                    out::toString);
        }
    }

    @Test
    void aPullBrokenOrCorruptInTheMiddleOfALayerLeavesTheStoreWholeAndTheNextOneCompletes() throws Exception {
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), false);
                RegistryProxy proxy = RegistryProxy.plain(registry)) {
            registry.push("docker-archive:" + archive("busybox", List.of("/bin/sh")), "test/busybox:1", false);
            String name = proxy.host() + "/test/busybox:1";
            proxy.cutBlobs(true);

            assertEquals(Main.VERB_ERROR, isola("pull", name));
            assertTrue(err.toString().startsWith("isola: pulling " + name + ": "), err::toString);
            assertEquals(0, isola("images"), err::toString);
            assertFalse(out.toString().contains("test/busybox"), out::toString);
            assertNoScratch();
            // layers are fetched side by side: the small top layer (not cut) may be stored, whole; busybox's is not
            assertTrue(count(tmp.resolve("store/layers/sha256")) <= 1, "a half layer is in the store");

            proxy.cutBlobs(false);
            proxy.corruptBlobs(true);
            assertEquals(Main.VERB_ERROR, isola("pull", name));
            // skopeo pushes gzip layers: gzip's CRC, checked as the digests are, while the layer streams, finds it
            // first
            assertTrue(
                    err.toString().contains(": the content's digest is sha256:")
                            || err.toString().contains("(CRC32 error)"),
                    err::toString);
            assertNoScratch();
            assertTrue(count(tmp.resolve("store/layers/sha256")) <= 1, "a corrupt layer is in the store");

            proxy.corruptBlobs(false);
            assertEquals(0, isola("pull", name), err::toString);
            assertEquals(0, isola("run", "--rm", name, "/bin/sh", "-c", CHECK), err::toString);
        }
    }

    private void putIndex(
            LocalRegistry registry, String repository, String tag, List<String> tags, List<String> architectures)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ObjectNode index = JSON.createObjectNode()
                .put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.index.v1+json");
        for (int i = 0; i < tags.size(); i++) {
            HttpResponse<byte[]> manifest = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://" + registry.host() + "/v2/" + repository + "/manifests/" + tags.get(i)))
                            .header(
                                    "Accept",
                                    "application/vnd.oci.image.manifest.v1+json, "
                                            + "application/vnd.docker.distribution.manifest.v2+json")
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, manifest.statusCode());
            ObjectNode entry = index.withArray("manifests")
                    .addObject()
                    .put(
                            "mediaType",
                            manifest.headers().firstValue("Content-Type").orElseThrow())
                    .put("digest", ImageArchives.digest(manifest.body()))
                    .put("size", manifest.body().length);
            entry.putObject("platform").put("os", "linux").put("architecture", architectures.get(i));
        }
        index.withArray("manifests")
                .addObject()
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", index.get("manifests").get(0).get("digest").asText())
                .put("size", 1)
                .putObject("platform")
                .put("os", "unknown")
                .put("architecture", "unknown"); // as attestations are listed
        HttpResponse<String> put = http.send(
                HttpRequest.newBuilder(
                                URI.create("http://" + registry.host() + "/v2/" + repository + "/manifests/" + tag))
                        .header("Content-Type", "application/vnd.oci.image.index.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(index)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put::body);
    }

    private String idOf(String name) throws Exception {
        Path record = tmp.resolve("store/images").resolve(URLEncoder.encode(name, "UTF-8") + ".json");
        return JSON.readTree(record.toFile()).path("id").asText();
    }

    private static String digestOf(String output) {
        Matcher m = Pattern.compile("Digest: (sha256:[0-9a-f]{64})").matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    private void assertNoScratch() throws Exception {
        assertTrue(Files.isDirectory(tmp.resolve("store/tmp")), "no pull got as far as the store");
        try (Stream<Path> scratch = Files.list(tmp.resolve("store/tmp"))) {
            assertEquals(List.of(), scratch.toList(), "a pull left its scratch behind");
        }
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.count();
        }
    }
}
