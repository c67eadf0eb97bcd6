package io.isola.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.ContainerSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A refused config.json field is typed: the JSON path travels as data, not inside the message. */
class ConfigExceptionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConfigException refusedResources(ObjectNode root) {
        return assertThrows(
                ConfigException.class,
                () -> ResourcesSection.read(new ConfigFields(root), ContainerSpec.builder("/bin/true"), false));
    }

    @Test
    void aFieldOfTheWrongTypeNamesItsOwnPath() {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("linux").putObject("resources").putObject("pids").put("limit", "many");
        ConfigException e = refusedResources(root);
        assertEquals("linux.resources.pids.limit", e.path());
        assertEquals("config.json: linux.resources.pids.limit: \"many\": expected an integer", e.getMessage());
    }

    @Test
    void aValueTheBuilderRefusesIsNamedByItsSection() {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("linux").putObject("resources").putObject("cpu").put("shares", 1);
        ConfigException e = refusedResources(root);
        assertEquals("linux.resources", e.path());
        assertEquals("config.json: linux.resources: cpu shares 1: expected a number from 2 to 262144", e.getMessage());
    }

    @Test
    void anExecProcessFileNamesTheFieldWithoutTheConfigPrefix(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("process.json");
        Files.writeString(file, "{\"args\": 5, \"cwd\": \"/\"}", StandardCharsets.UTF_8);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ExecProcess.load(file, null, null));
        assertEquals("process file \"" + file + "\": process.args: expected an array of strings", e.getMessage());
        assertEquals("process.args", ((ConfigException) e.getCause()).path());
    }
}
