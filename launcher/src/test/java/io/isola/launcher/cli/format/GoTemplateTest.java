package io.isola.launcher.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GoTemplateTest {

    private static Struct container() {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("app", "web");
        labels.put("tier", "front");
        return new Struct("container")
                .with("ID", "abc")
                .with("Names", "web")
                .with("Ports", List.of("80/tcp", "53/udp"))
                .with("Labels", labels)
                .with("State", new Struct("state").with("Status", "running").with("Pid", 42L))
                .with("Log", List.of(Map.of("ExitCode", 3L, "Output", "ok")))
                .with("Running", true)
                .with("Count", 0L);
    }

    private static String run(String template) {
        return GoTemplate.parse(template).execute(container());
    }

    @Test
    void fieldsNestedFieldsAndJsonAsDockerUsersWriteThem() {
        assertEquals("abc web", run("{{.ID}} {{.Names}}"));
        assertEquals("running 42", run("{{.State.Status}} {{.State.Pid}}"));
        assertEquals("{\"Status\":\"running\",\"Pid\":42}", run("{{json .State}}"));
        assertEquals("[80/tcp 53/udp]", run("{{.Ports}}"));
        assertEquals("map[app:web tier:front]", run("{{.Labels}}"));
        assertEquals("<no value>", run("{{.Labels.missing}}"), "a map's missing key, as Go's");
    }

    @Test
    void aFieldOfAParenthesisedCallIsTheFieldOfItsValue() {
        assertEquals("3", run("{{(index .Log 0).ExitCode}}"));
        assertEquals("running", run("{{(.State).Status}}"));
        assertEquals("3 ok", run("{{printf \"%v %s\" (index .Log 0).ExitCode (index .Log 0).Output}}"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoTemplate.parse("{{(.State)..Status}}"))
                .getMessage()
                .contains("bad field"));
    }

    @Test
    void functionsPipelinesAndBlocks() {
        assertEquals("web", run("{{index .Labels \"app\"}}"));
        assertEquals("53/udp", run("{{index .Ports 1}}"));
        assertEquals("80/tcp,53/udp", run("{{join .Ports \",\"}}"));
        assertEquals("ABC", run("{{.ID | upper}}"));
        assertEquals("<80/tcp><53/udp>", run("{{range .Ports}}<{{.}}>{{end}}"));
        assertEquals("front", run("{{range .Labels}}{{end}}{{with .Labels}}{{.tier}}{{end}}"));
        assertEquals("up", run("{{if .Running}}up{{else}}down{{end}}"));
        assertEquals("zero", run("{{if .Count}}some{{else if eq .Names \"web\"}}zero{{end}}"));
        assertEquals("a b", run("a {{- \" \" -}} b"));
        assertEquals("ab", run("{{truncate .ID 2}}"));
        assertEquals("abc", run("{{$.ID}}"));
        assertEquals("3", run("{{len .ID}}"));
        assertEquals("[a b]", run("{{split \"a/b\" \"/\"}}"));
        assertEquals("id=abc", run("{{printf \"id=%s\" .ID}}"));
    }

    @Test
    void aSingleObjectsFormatTakesJsonOrATemplateWithDockersEscapes() {
        assertEquals("abc\tweb", GoTemplate.ofFormat("{{.ID}}\\t{{.Names}}").execute(container()));
        assertTrue(GoTemplate.ofFormat("json").execute(container()).startsWith("{\"ID\":\"abc\",\"Names\":\"web\""));
    }

    @Test
    void whatItCannotHonourIsAnErrorNamingIt() {
        IllegalArgumentException field = assertThrows(IllegalArgumentException.class, () -> run("{{.Nope}}"));
        assertTrue(
                field.getMessage().contains("can't evaluate field Nope of a container; expected one of: ID, Names"),
                field.getMessage());
        assertThrows(IllegalArgumentException.class, () -> run("{{frob .ID}}"));
        assertThrows(IllegalArgumentException.class, () -> run("{{if .Running}}open"));
        assertThrows(IllegalArgumentException.class, () -> run("{{end}}"));
        assertThrows(IllegalArgumentException.class, () -> run("{{$x := .ID}}"));
        assertThrows(IllegalArgumentException.class, () -> run("{{.ID"));
        assertThrows(IllegalArgumentException.class, () -> run("{{.ID .Names}}"));
    }

    @Test
    void aTableAlignsItsColumnsAsDockersTabwriter() {
        assertEquals(
                List.of("CONTAINER ID     NAMES", "abc              web", "abcdefghijklmn   x"),
                ListFormat.aligned(List.of("CONTAINER ID\tNAMES", "abc\tweb", "abcdefghijklmn\tx")));
    }
}
