package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run -d --restart POLICY}, carried out by the resident server, each command through a
 * client as bin/isola runs it. The tests share one server (a start costs ~3 s), each with a state
 * root of its own.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RestartPolicyIT {

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private ServedCli cli;

    @AfterAll
    static void stopServer() throws Exception {
        ResidentServers.stopAll(shared.resolve("srv"));
    }

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require();
        cli = new ServedCli(shared.resolve("srv"), tmp);
    }

    @AfterEach
    void tearDown() throws Exception {
        cli.close();
    }

    private String ok(String... args) throws Exception {
        ServedCli.Result result = cli.run(args);
        assertEquals(0, result.code(), () -> String.join(" ", args) + ": " + result.err());
        return result.out();
    }

    private JsonNode inspect(String reference) throws Exception {
        return new ObjectMapper().readTree(ok("inspect", reference)).get(0);
    }

    /** Inspects {@code reference} until {@code done} holds, for up to 60 s; the last inspection. */
    private JsonNode awaitInspected(String reference, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode node = inspect(reference);
        while (!done.test(node) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            node = inspect(reference);
        }
        return node;
    }

    @Test
    void onFailureRestartsUpToItsCountKeepingIdNameAndLog() throws Exception {
        String id = ok(
                        "run",
                        "-d",
                        "--restart",
                        "on-failure:2",
                        "--name",
                        "flaky",
                        "--",
                        "sh",
                        "-c",
                        "echo ran; exit 3")
                .strip();

        // exited as soon as its process is gone; its exit code once the server has recorded it
        JsonNode done = awaitInspected(
                "flaky",
                n -> n.get("RestartCount").asInt() == 2
                        && n.get("State").get("Status").asText().equals("exited")
                        && n.get("State").get("ExitCode").isIntegralNumber());
        assertEquals(2, done.get("RestartCount").asInt(), done::toString);
        assertEquals(id, done.get("Id").asText());
        assertEquals(3, done.get("State").get("ExitCode").asInt());
        assertEquals(
                "on-failure",
                done.get("HostConfig").get("RestartPolicy").get("Name").asText());
        assertEquals(
                2,
                done.get("HostConfig")
                        .get("RestartPolicy")
                        .get("MaximumRetryCount")
                        .asInt());
        assertEquals("ran\nran\nran\n", ok("logs", "flaky"));
        String listed = ok("ps", "-a");
        assertTrue(
                listed.matches("(?s).* Exited \\(3\\) [^\n]*, 2 restarts .*"),
                () -> "ps shows the restarts: " + listed);
        Thread.sleep(1500);
        assertEquals(2, inspect("flaky").get("RestartCount").asInt(), "no third restart");
    }

    @Test
    void onFailureLeavesASuccessAndAlwaysRestartsUntilStopped() throws Exception {
        ok("run", "-d", "--restart", "on-failure", "--name", "fine", "--", "true");
        ok("run", "-d", "--restart", "always", "--name", "loop", "--", "sh", "-c", "sleep 0.3");

        JsonNode loop = awaitInspected("loop", n -> n.get("RestartCount").asInt() >= 2);
        assertTrue(loop.get("RestartCount").asInt() >= 2, loop::toString);
        assertEquals(0, inspect("fine").get("RestartCount").asInt());

        ok("stop", "loop");
        JsonNode stopped = inspect("loop");
        // also when the stop came while its policy was starting it again: that run is ended too
        assertEquals("exited", stopped.get("State").get("Status").asText(), stopped::toString);
        Thread.sleep(2000);
        JsonNode later = inspect("loop");
        assertEquals("exited", later.get("State").get("Status").asText(), later::toString);
        assertEquals(
                stopped.get("RestartCount").asInt(),
                later.get("RestartCount").asInt(),
                "a stopped container stays stopped");

        assertEquals("loop\n", ok("start", "loop"), "start takes it up again, with its policy");
        JsonNode resumed = awaitInspected(
                "loop",
                n -> n.get("RestartCount").asInt() > later.get("RestartCount").asInt());
        assertTrue(
                resumed.get("RestartCount").asInt() > later.get("RestartCount").asInt(), resumed::toString);
    }

    @Test
    void unlessStoppedIsNotRestartedAfterAKill() throws Exception {
        ok("run", "-d", "--restart", "unless-stopped", "--name", "svc", "--", "sleep", "1000");
        ok("kill", "-s", "KILL", "svc");
        JsonNode killed = awaitInspected(
                "svc",
                n -> n.get("State").get("Status").asText().equals("exited")
                        && n.get("State").get("ExitCode").isIntegralNumber());
        Thread.sleep(1500);
        JsonNode later = inspect("svc");
        assertEquals("exited", later.get("State").get("Status").asText(), later::toString);
        assertEquals(0, later.get("RestartCount").asInt());
        assertEquals(137, killed.get("State").get("ExitCode").asInt());
    }

    @Test
    void aBadPolicyOrOneWithRmIsRefusedNamingIt() throws Exception {
        ServedCli.Result bad = cli.run("run", "-d", "--restart", "sometimes", "--", "true");
        assertEquals(125, bad.code());
        assertTrue(
                bad.err().contains("\"sometimes\": expected no, always, unless-stopped, on-failure or on-failure:N"),
                bad.err());
        ServedCli.Result rm = cli.run("run", "-d", "--rm", "--restart", "always", "--", "true");
        assertEquals(125, rm.code());
        assertTrue(rm.err().contains("--rm"), rm.err());
        assertEquals("", ok("ps", "-a", "-q"), "nothing was made");
    }
}
