package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.ns.net.cni.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A network is found by its name among the configuration directory's files, never by a path. */
class NetworkConfigsLookupTest {

    private static final String CONFLIST =
            "{\"cniVersion\":\"1.0.0\",\"name\":\"%s\",\"plugins\":[{\"type\":\"bridge\"}]}";

    @TempDir
    Path tmp;

    @Test
    void aNameThatClimbsOutOfTheConfigurationDirectoryFindsNothingThere() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("net.d"));
        // a file a user could leave beside the directory, whose "name" matches the climbing name
        Files.writeString(tmp.resolve("planted.conflist"), CONFLIST.formatted("../planted"), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("front.conflist"), CONFLIST.formatted("front"), StandardCharsets.UTF_8);
        NetworkConfigs configs = new NetworkConfigs(dir, "isola", "", tmp.resolve("ipam"));

        assertEquals("front", configs.find("front").name());
        CniException refused = assertThrows(CniException.class, () -> configs.find("../planted"));
        assertEquals(
                "network \"../planted\": no configuration in " + dir
                        + " (expected ../planted.conflist, or a file whose \"name\" is \"../planted\")",
                refused.getMessage());
    }
}
