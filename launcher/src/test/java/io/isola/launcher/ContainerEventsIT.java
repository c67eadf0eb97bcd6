package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code isola events} as docker events: create, start, oom, die and destroy, filtered, formatted, bounded in time. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContainerEventsIT {

    @TempDir
    Path tmp;

    private InProcessCli cli;

    @BeforeEach
    void setUp() {
        cli = new InProcessCli(tmp);
    }

    @AfterEach
    void tearDown() {
        cli.close();
    }

    @Test
    void eventsListALifecycleAsDockerPrintsIt() throws Exception {
        String since = Instant.now().minusMillis(1).toString();
        cli.isola("run", "--name", "ev", "--", "sh", "-c", "exit 3");
        String id = cli.ok("run", "-d", "--name", "ev2", "--", "sleep", "1000").strip();
        cli.ok("rm", "-f", "ev2");
        String until = Instant.now().toString();

        assertEquals(
                "create\nstart\ndie\ndestroy\n",
                cli.ok(
                        "events",
                        "--since",
                        since,
                        "--until",
                        until,
                        "--filter",
                        "container=ev",
                        "--format",
                        "{{.Action}}"));
        assertEquals(
                "create ev2\nstart ev2\ndie ev2\ndestroy ev2\n",
                cli.ok(
                        "events",
                        "--since",
                        since,
                        "--until",
                        until,
                        "--filter",
                        "container=" + id.substring(0, 12),
                        "--format",
                        "{{.Action}} {{.Actor.Attributes.name}}"));
        List<String> dies = cli.ok("events", "--since", since, "--until", until, "--filter", "event=die")
                .lines()
                .toList();
        assertEquals(2, dies.size(), dies.toString());
        assertTrue(
                dies.get(0)
                        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z container die [0-9a-f]{64}"
                                + " \\(exitCode=3, image=, name=ev\\)"),
                dies.get(0));
        assertTrue(dies.get(1).endsWith(" container die " + id + " (exitCode=137, image=, name=ev2)"), dies.get(1));
        var json = new ObjectMapper()
                .readTree(cli.ok(
                        "events",
                        "--since",
                        since,
                        "--until",
                        until,
                        "--filter",
                        "event=destroy",
                        "--filter",
                        "container=ev2",
                        "--format",
                        "json"));
        assertEquals("destroy", json.get("Action").asText());
        assertEquals("container", json.get("Type").asText());
        assertEquals(id, json.get("Actor").get("ID").asText());
        assertEquals("", cli.ok("events", "--since", "1h", "--until", "30m"), "nothing happened an hour ago");
        cli.fails("--since \"yesterday\": expected", "events", "--since", "yesterday", "--until", until);
        cli.fails("filter \"label=x\": expected", "events", "--until", until, "--filter", "label=x");
    }

    @Test
    void anOomKillIsAnEventBeforeTheDie() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "needs perl (Debian's perl-base) to allocate memory");
        String since = Instant.now().toString();
        String id = cli.ok(
                        "run", "-d", "--name", "hungry", "--memory", "32m", "--", "perl", "-e", "$x = 'a' x (64 << 20)")
                .strip();
        cli.isola("wait", id);
        assertEquals(
                "create\nstart\noom\ndie 137\n",
                cli.ok(
                        "events",
                        "--since",
                        since,
                        "--until",
                        Instant.now().toString(),
                        "--format",
                        "{{.Action}}{{if eq .Action \"die\"}} {{.Actor.Attributes.exitCode}}{{end}}"));
    }
}
