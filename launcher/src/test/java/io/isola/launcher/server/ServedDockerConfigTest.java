package io.isola.launcher.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.launcher.registry.DockerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A served pull or push reads the client's credentials: a relative {@code DOCKER_CONFIG} names a
 * directory below the client's working directory, as {@code --authfile} does, never one below
 * the server's (which another command line of the same user may have chosen).
 */
class ServedDockerConfigTest {

    @Test
    void aRelativeDockerConfigIsTheClientsDirectorys() {
        Path client = Path.of("/home/someone/project");
        Invocation invocation = new Invocation(Map.of("DOCKER_CONFIG", "creds"), client, new int[] {0, 1, 2}, false);
        invocation.bind();
        try {
            assertEquals(
                    client.resolve("creds/config.json"),
                    DockerConfig.fromEnvironment().file());
        } finally {
            invocation.unbind();
        }
    }

    @Test
    void anAbsoluteDockerConfigStaysAsItIs() {
        Invocation invocation = new Invocation(
                Map.of("DOCKER_CONFIG", "/etc/creds"), Path.of("/home/someone"), new int[] {0, 1, 2}, false);
        invocation.bind();
        try {
            assertEquals(
                    Path.of("/etc/creds/config.json"),
                    DockerConfig.fromEnvironment().file());
        } finally {
            invocation.unbind();
        }
    }
}
