package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.launcher.image.ImageArchives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ps, images and inspect with Docker's -a, -q, --no-trunc, --filter and Go-template --format, on real containers. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PsFormatIT {

    @TempDir
    Path tmp;

    private String running;
    private String exited;
    private InProcessCli cli;

    @BeforeEach
    void twoContainers() {
        cli = new InProcessCli(tmp);
        running = cli.ok("run", "-d", "--name", "web-1", "-l", "app=web", "-l", "tier", "--", "sleep", "1000")
                .strip();
        exited = cli.ok("run", "-d", "--name", "job", "-l", "app=batch", "--", "sh", "-c", "exit 3")
                .strip();
        cli.ok("wait", exited);
    }

    @AfterEach
    void tearDown() {
        cli.close();
    }

    @Test
    void psHidesStoppedContainersUnlessAllAndTruncatesIdsUnlessNoTrunc() {
        assertEquals(running.substring(0, 12) + "\n", cli.ok("ps", "-q"));
        assertEquals(running + "\n" + exited + "\n", cli.ok("ps", "-a", "-q", "--no-trunc"));
        List<String> table = cli.ok("ps", "-a").lines().toList();
        assertEquals(
                List.of("CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"),
                List.of(table.get(0).split("\\s+")));
        assertTrue(table.get(1).matches(running.substring(0, 12) + " +\\(host\\) +\"sleep 1000\" .*"), table.get(1));
        assertTrue(table.get(1).contains(" Up ") && table.get(1).endsWith(" web-1"), table.get(1));
        assertTrue(table.get(2).contains(" Exited (3) ") && table.get(2).endsWith(" job"), table.get(2));
    }

    @Test
    void psFormatTakesDockersTemplates() throws Exception {
        assertEquals("web-1 running\njob exited\n", cli.ok("ps", "-a", "--format", "{{.Names}} {{.State}}"));
        assertEquals(running.substring(0, 12) + "\n", cli.ok("ps", "--format", "{{.ID}}"));
        assertEquals("web-1\tapp=web,tier=\n", cli.ok("ps", "--format", "{{.Names}}\\t{{.Labels}}"));
        assertEquals(
                List.of("NAMES     STATUS", "web-1     Up "),
                cli.ok("ps", "--format", "table {{.Names}}\\t{{.Status}}")
                        .lines()
                        .map(l -> l.startsWith("web-1") ? l.replaceAll("Up .*", "Up ") : l)
                        .toList());
        JsonNode json =
                new ObjectMapper().readTree(cli.ok("ps", "--format", "json").strip());
        assertEquals("web-1", json.get("Names").asText());
        assertEquals("\"sleep 1000\"", json.get("Command").asText());
        assertEquals(1, cli.isola("ps", "--format", "{{.Nope}}"));
        assertTrue(
                cli.lastErr().contains("can't evaluate field Nope of a container; expected one of: ID, Image"),
                cli.lastErr());
    }

    @Test
    void psFiltersByStatusNameLabelAncestorAndId() throws Exception {
        assertEquals("job\n", cli.ok("ps", "--filter", "status=exited", "--format", "{{.Names}}"));
        assertEquals("web-1\n", cli.ok("ps", "-a", "-f", "name=web", "--format", "{{.Names}}"));
        assertEquals("job\n", cli.ok("ps", "-a", "-f", "label=app=batch", "--format", "{{.Names}}"));
        assertEquals("web-1\n", cli.ok("ps", "-a", "-f", "label=tier", "--format", "{{.Names}}"));
        assertEquals("web-1\njob\n", cli.ok("ps", "-a", "-f", "name=web", "-f", "name=job", "--format", "{{.Names}}"));
        assertEquals("", cli.ok("ps", "-a", "-f", "name=web", "-f", "status=exited", "--format", "{{.Names}}"));
        assertEquals("job\n", cli.ok("ps", "-a", "-f", "id=" + exited.substring(0, 8), "--format", "{{.Names}}"));
        assertEquals(1, cli.isola("ps", "-f", "colour=red"));
        assertTrue(
                cli.lastErr()
                        .contains(
                                "filter \"colour=red\": expected status=, name=, label=, ancestor=, id=, volume= or health="),
                cli.lastErr());
        assertEquals(1, cli.isola("ps", "-f", "status=sleeping"));
        assertTrue(
                cli.lastErr()
                        .contains("status \"sleeping\": expected created, restarting, running, paused, exited or dead"),
                cli.lastErr());

        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        cli.ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("img.tar"), "test/ps:1", false)
                        .toString());
        cli.ok("run", "-d", "--name", "boxed", "test/ps:1", "sleep", "1000");
        assertEquals("boxed\n", cli.ok("ps", "-a", "-f", "ancestor=test/ps:1", "--format", "{{.Names}}"));
        assertEquals("test/ps:1\n", cli.ok("ps", "-f", "name=boxed", "--format", "{{.Image}}"));
        assertEquals("test/ps 1\n", cli.ok("images", "--format", "{{.Repository}} {{.Tag}}"));
        assertEquals("test/ps:1\n", cli.ok("images", "-f", "reference=test/*", "--format", "{{.Repository}}:{{.Tag}}"));
        assertEquals("", cli.ok("images", "-f", "reference=other*", "-q"));
        assertEquals(12, cli.ok("images", "-q").strip().length());
    }

    @Test
    void inspectFormatRunsATemplatePerContainer() {
        assertEquals("running\nexited\n", cli.ok("inspect", "-f", "{{.State.Status}}", "web-1", "job"));
        assertEquals("web\n", cli.ok("inspect", "--format", "{{index .Config.Labels \"app\"}}", "web-1"));
        assertEquals("[sleep 1000]\n", cli.ok("inspect", "-f", "{{.Config.Cmd}}", "web-1"));
        assertEquals(
                "3 no\n", cli.ok("inspect", "-f", "{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}", "job"));
        assertEquals(1, cli.isola("inspect", "-f", "{{.State.Status", "job"));
        assertTrue(cli.lastErr().contains("unclosed action"), cli.lastErr());
    }
}
