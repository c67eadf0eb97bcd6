package io.isola.launcher.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The challenge parser, platforms and Docker's credential file. */
class RegistryPartsTest {

    @TempDir
    Path tmp;

    @Test
    void challengesAreParsedAsRfc7235WritesThem() {
        AuthChallenge bearer = AuthChallenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");
        assertTrue(bearer.isBearer());
        assertEquals(
                Map.of(
                        "realm",
                        "https://auth.docker.io/token",
                        "service",
                        "registry.docker.io",
                        "scope",
                        "repository:library/busybox:pull"),
                bearer.parameters());
        AuthChallenge basic = AuthChallenge.parse("Basic realm=\"a \\\"quoted\\\" realm\", charset=UTF-8");
        assertTrue(basic.isBasic());
        assertEquals("a \"quoted\" realm", basic.realm());
        assertEquals("UTF-8", basic.parameters().get("charset"));
        assertEquals(null, AuthChallenge.parse(""));
    }

    @Test
    void platformsMatchIndexEntries() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Platform arm = Platform.parse("linux/arm64/v8");
        assertTrue(arm.matches(json.readTree("{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}")));
        assertFalse(arm.matches(json.readTree("{\"os\":\"linux\",\"architecture\":\"arm64\"}")));
        assertTrue(Platform.parse("linux/arm64")
                .matches(json.readTree("{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}")));
        assertEquals("linux/amd64", Platform.parse("Linux/x86_64").toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Platform.parse("amd64"))
                .getMessage()
                .contains("platform \"amd64\": expected OS/ARCH[/VARIANT]"));
    }

    @Test
    void credentialsAreKeptAsDockerKeepsThemAndOtherFieldsStay() throws Exception {
        Path file = tmp.resolve("docker/config.json");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file,
                "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnNlY3JldA==\"}},\"psFormat\":\"x\"}");
        DockerConfig config = new DockerConfig(file);
        assertEquals(
                new DockerConfig.Credentials("hub", "secret"),
                config.credentials("docker.io").orElseThrow());
        assertTrue(config.credentials("quay.io").isEmpty());

        config.store("127.0.0.1:5000", new DockerConfig.Credentials("me", "p:w"));
        assertEquals(
                new DockerConfig.Credentials("me", "p:w"),
                config.credentials("127.0.0.1:5000").orElseThrow());
        assertTrue(Files.readString(file).contains("\"psFormat\""));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertFalse(new DockerConfig.Credentials("me", "p:w").toString().contains("p:w"));

        assertTrue(config.remove("127.0.0.1:5000"));
        assertFalse(config.remove("127.0.0.1:5000"));
        assertTrue(config.credentials("docker.io").isPresent());

        Files.writeString(file, "{\"auths\":{\"quay.io\":{\"auth\":\"bm9jb2xvbg==\"}}}");
        assertTrue(assertThrows(IOException.class, () -> config.credentials("quay.io"))
                .getMessage()
                .contains("\"quay.io\" is not base64 of USER:PASSWORD"));
    }
}
