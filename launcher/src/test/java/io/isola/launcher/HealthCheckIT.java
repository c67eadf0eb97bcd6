package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.launcher.image.ImageArchives;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's health checks ({@code --health-*}, an image's HEALTHCHECK) of detached containers, as
 * a user sees them in {@code inspect}'s State.Health, {@code ps}'s STATUS and {@code ps --filter health=};
 * checked by the container's monitor process (in-process CLI) or by the resident server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HealthCheckIT {

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
    void aCheckTurnsHealthyThenUnhealthyOnceItsFileIsGone() throws Exception {
        cli.ok(
                "run",
                "-d",
                "--name",
                "checked",
                "--health-cmd",
                "cat /tmp/ok",
                "--health-interval",
                "200ms",
                "--health-retries",
                "2",
                "--",
                "sh",
                "-c",
                "echo fine > /tmp/ok; exec sleep 1000");
        assertEquals(
                "[\"CMD-SHELL\",\"cat /tmp/ok\"] 2\n",
                cli.ok(
                        "inspect",
                        "-f",
                        "{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Retries}}",
                        "checked"));
        JsonNode health = awaitHealth("checked", "healthy");
        assertEquals(0, health.get("FailingStreak").asInt(), health::toString);
        JsonNode last = health.get("Log").get(health.get("Log").size() - 1);
        assertEquals(0, last.get("ExitCode").asInt(), health::toString);
        assertEquals("fine\n", last.get("Output").asText(), health::toString);
        assertTrue(cli.ok("ps").contains("(healthy)"), cli.lastOut());
        assertEquals(
                List.of("checked"),
                cli.ok("ps", "--filter", "health=healthy", "--format", "{{.Names}}")
                        .lines()
                        .toList());
        assertEquals("", cli.ok("ps", "--filter", "health=unhealthy", "-q"));

        cli.ok("exec", "checked", "rm", "/tmp/ok");
        health = awaitHealth("checked", "unhealthy");
        assertTrue(health.get("FailingStreak").asInt() >= 2, health::toString);
        assertTrue(health.get("Log").size() <= 5, health::toString);
        last = health.get("Log").get(health.get("Log").size() - 1);
        assertEquals(1, last.get("ExitCode").asInt(), health::toString);
        assertTrue(cli.ok("ps").contains("(unhealthy)"), cli.lastOut());
        assertEquals(
                List.of("checked"),
                cli.ok("ps", "--filter", "health=unhealthy", "--format", "{{.Names}}")
                        .lines()
                        .toList());

        cli.fails("--no-healthcheck with --health-*", "run", "--no-healthcheck", "--health-cmd", "true", "--", "true");
        cli.fails(
                "--health-interval \"soon\"", "run", "--health-cmd", "true", "--health-interval", "soon", "--", "true");
        cli.fails("expected health=starting, healthy, unhealthy or none", "ps", "--filter", "health=fine");
    }

    @Test
    void anImagesHealthcheckRunsUnlessNoHealthcheckIsGiven() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        cli.ok(
                "image",
                "import",
                ImageArchives.dockerSaveWithConfig(
                                tmp.resolve("img.tar"),
                                "test/health:1",
                                List.of("sleep", "1000"),
                                Map.of("Healthcheck", "{\"Test\":[\"CMD\",\"true\"],\"Interval\":200000000}"))
                        .toString());
        cli.ok("run", "-d", "--name", "imaged", "test/health:1");
        assertEquals("[\"CMD\",\"true\"]\n", cli.ok("inspect", "-f", "{{json .Config.Healthcheck.Test}}", "imaged"));
        awaitHealth("imaged", "healthy");
        cli.ok("run", "-d", "--name", "unchecked", "--no-healthcheck", "test/health:1");
        JsonNode state = new ObjectMapper()
                .readTree(cli.ok("inspect", "unchecked"))
                .get(0)
                .get("State");
        assertFalse(state.has("Health"), state::toString);
        assertEquals(
                List.of("unchecked"),
                cli.ok("ps", "--filter", "health=none", "--format", "{{.Names}}")
                        .lines()
                        .toList());
    }

    @Test
    void theResidentServerChecksTheContainersItRuns() throws Exception {
        try (ServedCli served = new ServedCli(tmp.resolve("served"))) {
            ServedCli.Result run = served.run(
                    "run",
                    "-d",
                    "--name",
                    "served",
                    "--health-cmd",
                    "exit 3",
                    "--health-interval",
                    "100ms",
                    "--health-retries",
                    "1",
                    "--",
                    "sleep",
                    "1000");
            assertEquals(0, run.code(), run::err);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String status = "";
            while (!status.startsWith("unhealthy 3") && System.nanoTime() < deadline) {
                Thread.sleep(50);
                StringWriter out = new StringWriter();
                Main.execute(
                        new String[] {
                            "--root",
                            served.root().toString(),
                            "inspect",
                            "-f",
                            "{{.State.Health.Status}} {{range .State.Health.Log}}{{.ExitCode}}{{end}}",
                            "served"
                        },
                        new PrintWriter(out),
                        new PrintWriter(new StringWriter()));
                status = out.toString();
            }
            assertTrue(status.matches("unhealthy (3)+\n"), status);
        }
    }

    /**
     * A foreground run is checked too, by the JVM that runs it, and its health shows in ps and
     * inspect from another shell while it runs; --health-start-interval (Docker 25) checks every
     * 200 ms during the start period where the interval is an hour.
     */
    @Test
    void aForegroundContainerIsCheckedEveryStartIntervalDuringItsStartPeriod() throws Exception {
        Path stop = Files.createDirectory(tmp.resolve("stop"));
        CompletableFuture<Integer> foreground = CompletableFuture.supplyAsync(() -> cli.isola(
                "run",
                "--name",
                "fg",
                "-v",
                stop + ":/stop",
                "--health-cmd",
                "cat /tmp/ok",
                "--health-interval",
                "1h",
                "--health-start-period",
                "1m",
                "--health-start-interval",
                "200ms",
                "--",
                "sh",
                "-c",
                "echo up > /tmp/ok; i=0; until [ -e /stop/now ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done"));
        try {
            JsonNode health = awaitHealth("fg", "healthy");
            assertEquals("up\n", health.get("Log").get(0).get("Output").asText(), health::toString);
            assertEquals(
                    "200000000 60000000000\n",
                    cli.ok(
                            "inspect",
                            "-f",
                            "{{.Config.Healthcheck.StartInterval}} {{.Config.Healthcheck.StartPeriod}}",
                            "fg"));
            assertTrue(cli.ok("ps", "--filter", "name=fg").contains("(healthy)"), cli.lastOut());
        } finally {
            Files.writeString(stop.resolve("now"), "");
        }
        assertEquals(0, foreground.get(60, TimeUnit.SECONDS));
        cli.fails(
                "--health-start-interval \"0.1ms\"",
                "run",
                "--health-cmd",
                "true",
                "--health-start-interval",
                "0.1ms",
                "--",
                "true");
    }

    /** Waits, 30 s at most, for the container's State.Health.Status to be {@code status}; its State.Health. */
    private JsonNode awaitHealth(String container, String status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode health = null;
        while (System.nanoTime() < deadline) {
            if (cli.isola("inspect", container) != 0) {
                Thread.sleep(50); // a foreground run that has yet to register it
                continue;
            }
            health = new ObjectMapper()
                    .readTree(cli.lastOut())
                    .get(0)
                    .get("State")
                    .get("Health");
            if (health != null && health.get("Status").asText().equals(status)) {
                return health;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(container + " did not turn " + status + " in 30 s: " + health);
    }
}
