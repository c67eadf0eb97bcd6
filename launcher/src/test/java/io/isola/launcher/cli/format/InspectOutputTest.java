package io.isola.launcher.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The inspect verbs' output: one indented JSON array, or a Go template once per item. */
class InspectOutputTest {

    record Port(int number, String protocol) {}

    private static final List<Map<String, Object>> ITEMS = List.of(item("web", new Port(80, "tcp")), item("db", null));

    private static Map<String, Object> item(String name, Port port) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("Name", name);
        item.put("Port", port);
        return item;
    }

    private static String print(String format) throws Exception {
        StringWriter out = new StringWriter();
        InspectOutput.of(format).print(new PrintWriter(out), ITEMS);
        return out.toString();
    }

    @Test
    void withoutAFormatTheItemsAreOneIndentedJsonArray() throws Exception {
        assertEquals(
                "[ {\n  \"Name\" : \"web\",\n  \"Port\" : {\n    \"number\" : 80,\n    \"protocol\" : \"tcp\"\n  }\n},"
                        + " {\n  \"Name\" : \"db\",\n  \"Port\" : null\n} ]\n",
                print(null));
    }

    @Test
    void aTemplateRunsOncePerItemOnWhatTheJsonShows() throws Exception {
        // a record reaches the template as the JSON object it prints as, its fields by their JSON names
        assertEquals("web 80\n\n", print("{{if .Port}}{{.Name}} {{.Port.number}}{{end}}"), "a line per item");
        assertEquals(
                "{\"Name\":\"web\",\"Port\":{\"number\":80,\"protocol\":\"tcp\"}}\n{\"Name\":\"db\",\"Port\":null}\n",
                print("json"));
    }

    @Test
    void aBadTemplateIsRefusedBeforeAnythingIsRead() {
        assertThrows(IllegalArgumentException.class, () -> InspectOutput.of("{{.Name"));
    }
}
