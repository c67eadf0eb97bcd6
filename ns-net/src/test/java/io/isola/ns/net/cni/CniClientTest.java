package io.isola.ns.net.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against fake plugins that record what they were given: the CNI protocol without
 * root, the kernel or the real plugins.
 */
class CniClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FAKE = """
            #!/bin/sh
            self=$(basename "$0"); dir=$(dirname "$0")/log
            n=$(ls "$dir" | wc -l)
            { echo "$CNI_COMMAND|$CNI_CONTAINERID|$CNI_NETNS|$CNI_IFNAME|$CNI_PATH"; cat; } > "$dir/$(printf %02d "$n")-$CNI_COMMAND-$self"
            if [ "$self" = fake-fail ] && [ "$CNI_COMMAND" = ADD ]; then
              echo '{"cniVersion":"1.0.0","code":11,"msg":"no luck","details":"try later"}'; exit 1
            fi
            [ "$CNI_COMMAND" = ADD ] && echo "{\\"cniVersion\\":\\"1.0.0\\",\\"ips\\":[{\\"address\\":\\"10.1.2.3/24\\"}],\\"by\\":\\"$self\\"}"
            [ "$CNI_COMMAND" = VERSION ] && echo '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}'
            exit 0
            """;

    @TempDir
    Path dir;

    private CniClient client;
    private final CniClient.Attachment attachment = new CniClient.Attachment(
            "c1",
            "/proc/1/ns/net",
            "eth0",
            Map.of(
                    "portMappings",
                    JSON.createArrayNode().add(JSON.createObjectNode().put("hostPort", 8080))));

    @BeforeEach
    void plugins() throws Exception {
        Files.createDirectory(dir.resolve("log"));
        for (String name : List.of("fake-a", "fake-b", "fake-fail")) {
            Files.writeString(dir.resolve(name), FAKE);
            Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        client = new CniClient(PluginPath.parse("/nonexistent:" + dir));
    }

    private static NetworkConfigList list(String... types) throws CniException {
        StringBuilder plugins = new StringBuilder();
        for (String type : types) {
            plugins.append(plugins.length() == 0 ? "" : ",")
                    .append("{\"type\":\"")
                    .append(type)
                    .append("\"")
                    .append(type.equals("fake-b") ? ",\"capabilities\":{\"portMappings\":true}" : "")
                    .append("}");
        }
        return NetworkConfigList.parse(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"fakenet\",\"plugins\":[" + plugins + "]}",
                "/etc/fake.conflist",
                false);
    }

    /** Each invocation in order: its env line and the config it got on stdin. */
    private List<String[]> calls() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("log"))) {
            return files.sorted()
                    .map(p -> {
                        try {
                            List<String> lines = Files.readAllLines(p);
                            return new String[] {
                                p.getFileName().toString().substring(3),
                                lines.get(0),
                                String.join("\n", lines.subList(1, lines.size()))
                            };
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        }
    }

    @Test
    void addChainsPrevResultAndPassesCapabilitiesOnlyToPluginsThatDeclareThem() throws Exception {
        ObjectNode result = client.add(list("fake-a", "fake-b"), attachment);
        assertEquals("fake-b", result.get("by").asText());

        List<String[]> calls = calls();
        assertEquals("ADD-fake-a", calls.get(0)[0]);
        assertEquals("ADD|c1|/proc/1/ns/net|eth0|/nonexistent:" + dir, calls.get(0)[1]);
        JsonNode first = JSON.readTree(calls.get(0)[2]);
        assertEquals("fakenet", first.get("name").asText());
        assertEquals("1.0.0", first.get("cniVersion").asText());
        assertFalse(first.has("prevResult"));
        assertFalse(first.has("runtimeConfig"));
        JsonNode second = JSON.readTree(calls.get(1)[2]);
        assertEquals("fake-a", second.path("prevResult").path("by").asText());
        assertEquals(
                8080,
                second.path("runtimeConfig")
                        .path("portMappings")
                        .get(0)
                        .path("hostPort")
                        .asInt());
    }

    @Test
    void delRunsInReverseWithTheAddResult() throws Exception {
        ObjectNode result = client.add(list("fake-a", "fake-b"), attachment);
        client.del(list("fake-a", "fake-b"), attachment.withNetns(""), result);

        List<String[]> calls = calls();
        assertEquals(
                List.of("ADD-fake-a", "ADD-fake-b", "DEL-fake-b", "DEL-fake-a"),
                calls.stream().map(c -> c[0]).toList());
        assertEquals("DEL|c1||eth0|/nonexistent:" + dir, calls.get(3)[1]);
        assertEquals(
                "fake-b",
                JSON.readTree(calls.get(3)[2]).path("prevResult").path("by").asText());
    }

    @Test
    void aFailedAddIsReportedWithPluginFileAndErrorAndTheListIsDeleted() throws Exception {
        CniException e = assertThrows(CniException.class, () -> client.add(list("fake-a", "fake-fail"), attachment));

        assertEquals(
                "network \"fakenet\" (/etc/fake.conflist): plugin \"fake-fail\" (" + dir.resolve("fake-fail")
                        + ") failed ADD for container c1: no luck (try later) [CNI error 11]",
                e.getMessage());
        assertEquals(11, e.code());
        assertEquals(
                List.of("ADD-fake-a", "ADD-fake-fail", "DEL-fake-fail", "DEL-fake-a"),
                calls().stream().map(c -> c[0]).toList());
    }

    @Test
    void checkAndVersion() throws Exception {
        ObjectNode result = client.add(list("fake-a"), attachment);
        client.check(list("fake-a"), attachment, result);
        assertEquals("CHECK-fake-a", calls().get(1)[0]);
        assertEquals(
                "[\"0.4.0\",\"1.0.0\"]",
                client.version("fake-a", "1.0.0").get("supportedVersions").toString());
    }

    @Test
    void aMissingPluginIsNamedWithTheSearchPath() {
        CniException e = assertThrows(CniException.class, () -> client.checkInstalled(list("fake-a", "no-such")));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "network \"fakenet\" (/etc/fake.conflist): CNI plugin \"no-such\" not found in /nonexistent:"
                                        + dir),
                e.getMessage());
    }

    @Test
    void aSinglePluginConfIsAListOfOne() throws Exception {
        NetworkConfigList conf = NetworkConfigList.parse(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"one\",\"type\":\"fake-a\"}", "one.conf", true);
        assertEquals(List.of("fake-a"), conf.types());
        assertEquals("one", conf.name());
    }
}
