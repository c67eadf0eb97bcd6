package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import io.isola.launcher.registry.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code isola pull}, {@code push}, {@code save} and {@code load} served by the resident server, from a registry on loopback:
 * the server's store gets the image, the credentials are the caller's ({@code DOCKER_CONFIG} of
 * the client's environment, {@code --authfile}), progress goes to the caller's stdout as plain
 * lines when it is no terminal, and a caller's credentials it may not read are refused, never read
 * for it.
 */
class ServedPullIT {

    @TempDir
    Path tmp;

    @BeforeEach
    void require() {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        assumeTrue(
                LocalRegistry.available(),
                "no docker-registry or skopeo (install the packages docker-registry and skopeo)");
    }

    private Path busybox() throws Exception {
        return ImageArchives.dockerSave(tmp.resolve("busybox.tar"), "test/busybox:1", false, List.of("/bin/sh"), null);
    }

    @Test
    void theServerPullsAndPushesWithTheCallersCredentials() throws Exception {
        Path serverStore = tmp.resolve("server-store"), clientStore = tmp.resolve("client-store");
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), true);
                ServedCli served = new ServedCli(tmp)
                        .serverProperties("-Disola.root=" + serverStore)
                        .clientProperties("-Disola.root=" + clientStore)) {
            registry.push("docker-archive:" + busybox(), "test/private:1", true);
            String name = registry.host() + "/test/private:1";
            Path none = Files.createDirectories(tmp.resolve("no-login"));
            Path login = Files.createDirectories(tmp.resolve("login"));
            String auth = Base64.getEncoder()
                    .encodeToString((LocalRegistry.USER + ":" + LocalRegistry.PASSWORD).getBytes(UTF_8));
            Files.writeString(
                    login.resolve("config.json"),
                    "{\"auths\": {\"" + registry.host() + "\": {\"auth\": \"" + auth + "\"}}}");

            // the first command starts the server, with a DOCKER_CONFIG that holds no login
            ServedCli.Result anonymous = served.run(Map.of("DOCKER_CONFIG", none.toString()), "pull", name);
            assertEquals(Main.VERB_ERROR, anonymous.code(), anonymous.err());
            assertTrue(anonymous.err().contains("isola login " + registry.host()), anonymous.err());

            // the caller's DOCKER_CONFIG, not the one the server started with
            ServedCli.Result pulled = served.run(Map.of("DOCKER_CONFIG", login.toString()), "pull", name);
            assertEquals(0, pulled.code(), pulled.err());
            assertTrue(pulled.out().contains(": Pull complete\n"), pulled.out());
            assertTrue(pulled.out().endsWith(name + "\n"), pulled.out());
            assertFalse(
                    pulled.out().contains("\033") || pulled.out().contains("\r"), "not a terminal: " + pulled.out());
            // into the server's store: the client's JVM never ran it
            ServedCli.Result images = served.run("images");
            assertTrue(images.out().contains(registry.host() + "/test/private"), images.out() + images.err());
            assertFalse(Files.exists(clientStore), "the pull ran in the client's JVM");

            ServedCli.Result authfile = served.run(
                    Map.of("DOCKER_CONFIG", none.toString()),
                    "pull",
                    "--authfile",
                    login.resolve("config.json").toString(),
                    name);
            assertEquals(0, authfile.code(), authfile.err());
            assertTrue(authfile.out().contains("Image is up to date for " + name), authfile.out());

            ServedCli.Result pushed = served.run(Map.of("DOCKER_CONFIG", login.toString()), "push", name);
            assertEquals(0, pushed.code(), pushed.err());
            assertTrue(pushed.out().contains("1: digest: sha256:"), pushed.out());

            // save and load: the archive on the caller's stdout, or a file; read back into the server's store
            ServedCli.Result toStdout = served.run("save", name);
            assertEquals(0, toStdout.code(), toStdout.err());
            assertTrue(toStdout.out().contains("manifest.json"), "no archive on the caller's stdout");
            Path archive = tmp.resolve("saved.tar");
            ServedCli.Result saved = served.run("save", "-o", archive.toString(), name);
            assertEquals(0, saved.code(), saved.err());
            ServedCli.Result loaded = served.run("load", "-i", archive.toString());
            assertEquals(0, loaded.code(), loaded.err());
            assertTrue(
                    loaded.out().startsWith("Loaded image: ") && loaded.out().contains("test/private"), loaded.out());

            Path nothing = tmp.resolve("nothing.json");
            ServedCli.Result missing = served.run("pull", "--authfile", nothing.toString(), name);
            assertEquals(Main.VERB_ERROR, missing.code(), missing.err());
            assertTrue(missing.err().contains(nothing + ": no such file"), missing.err());
            assertFalse(Files.exists(clientStore), "a pull ran in the client's JVM");
        }
    }

    @Test
    void aNonRootCallersServerRefusesCredentialsTheCallerCannotRead() throws Exception {
        try (RootlessUser user = RootlessUser.create();
                LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), false)) {
            registry.push("docker-archive:" + busybox(), "test/busybox:1", false);
            String name = registry.host() + "/test/busybox:1";
            // root's, 0600 and in a 0700 directory, under a directory the user may pass
            Path secrets = Files.createDirectory(user.work.resolve("secrets"));
            Path secret = Files.writeString(secrets.resolve("config.json"), "{\"auths\": {}}");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwx------"));
            Path serverDir = user.home().resolve("srv");
            try {
                RootlessUser.Run authfile =
                        user.served(serverDir, Map.of(), "pull", "--authfile", secret.toString(), name);
                assertEquals(Main.VERB_ERROR, authfile.code(), authfile.err());
                assertTrue(authfile.err().contains("cannot read " + secret + ": permission denied"), authfile.err());
                assertEquals(1, ResidentServers.running(serverDir).size(), "the pull was not served");

                RootlessUser.Run config =
                        user.served(serverDir, Map.of("DOCKER_CONFIG", secrets.toString()), "pull", name);
                assertEquals(Main.VERB_ERROR, config.code(), config.err());
                assertTrue(config.err().contains("cannot read " + secret + ": permission denied"), config.err());

                // what the user may read is read, and the image goes to the user's own store
                RootlessUser.Run pulled = user.served(serverDir, Map.of(), "pull", name);
                assertEquals(0, pulled.code(), pulled.err());
                assertTrue(pulled.out().contains(": Pull complete\n"), pulled.out());
                assertTrue(
                        Files.isDirectory(user.home().resolve(".local/share/isola/images")), "not in the user's store");
            } finally {
                ResidentServers.stopAll(serverDir);
            }
        }
    }
}
