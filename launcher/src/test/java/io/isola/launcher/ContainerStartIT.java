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

/** Docker's start and restart of stopped containers, through {@link Main#execute}, as root, for real. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ContainerStartIT {

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

    private JsonNode inspect(String reference) throws Exception {
        return new ObjectMapper().readTree(cli.ok("inspect", reference)).get(0);
    }

    @Test
    void startRunsAStoppedImageContainerAgainOnItsOwnWritableLayer() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        Path image = ImageArchives.dockerSave(tmp.resolve("img.tar"), "test/start:1", false, List.of("sh"), null);
        cli.ok("image", "import", image.toString());
        // a foreground run of an image keeps its container, as Docker's does
        assertEquals(
                3,
                cli.isola(
                        "run",
                        "--name",
                        "counter",
                        "test/start:1",
                        "sh",
                        "-c",
                        "echo run >> /runs; echo \"runs: $(wc -l < /runs)\"; exit 3"),
                cli.lastErr());
        String id = inspect("counter").get("Id").asText();

        assertEquals("counter\n", cli.ok("start", "counter"));
        assertEquals("3\n", cli.ok("wait", "counter"), "wait prints the exit code, as Docker's");
        assertEquals(
                "runs: 2\n",
                cli.ok("logs", "counter"),
                "the second run saw the first one's file, and its output is logged");
        JsonNode again = inspect("counter");
        assertEquals(id, again.get("Id").asText());
        assertEquals("counter", again.get("Name").asText());
        assertEquals(3, again.get("State").get("ExitCode").asInt());

        assertEquals("counter\n", cli.ok("restart", "counter"));
        assertEquals("3\n", cli.ok("wait", "counter"), "wait prints the exit code, as Docker's");
        assertEquals("runs: 2\nruns: 3\n", cli.ok("logs", "counter"));
        assertEquals(id + "\n", cli.ok("ps", "-a", "-q", "--no-trunc"), "one container, under its first id");
    }

    @Test
    void restartStopsARunningContainerAndRunsItAgainWithItsOptions() throws Exception {
        String id = cli.ok(
                        "run",
                        "-d",
                        "--name",
                        "web",
                        "-h",
                        "box",
                        "-e",
                        "GREETING=hi",
                        "--",
                        "sh",
                        "-c",
                        "echo \"$GREETING from $(hostname)\"; exec sleep 1000")
                .strip();
        long firstPid = inspect("web").get("State").get("Pid").asLong();
        assertTrue(firstPid > 0);

        assertEquals("web\n", cli.ok("restart", "-t", "0", "web"));
        JsonNode restarted = inspect("web");
        assertEquals(id, restarted.get("Id").asText());
        assertEquals("running", restarted.get("State").get("Status").asText());
        assertTrue(restarted.get("State").get("Pid").asLong() != firstPid, "a new process");
        assertEquals(0, restarted.get("RestartCount").asInt(), "a user's restart is not its policy's");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cli.ok("logs", "web").equals("hi from box\nhi from box\n") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("hi from box\nhi from box\n", cli.ok("logs", "web"));

        assertEquals("web\n", cli.ok("start", "web"), "a running container is left be");
        assertEquals(
                restarted.get("State").get("Pid").asLong(),
                inspect("web").get("State").get("Pid").asLong());
    }

    @Test
    void startOfAContainerThatDoesNotExistSaysSo() {
        assertEquals(1, cli.isola("start", "nosuch"));
        assertTrue(cli.lastErr().contains("nosuch"), cli.lastErr());
        cli.fails(
                "nosuch", "start", "-a", "nosuch"); // -a attaches now (AttachCliIT): the missing container is the error
    }
}
