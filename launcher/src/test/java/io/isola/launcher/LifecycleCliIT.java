package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.lifecycle.MonitorProcess;
import io.isola.lifecycle.ProcessIdentity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle verbs end to end through {@link Main#execute}, as root, against the real kernel. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LifecycleCliIT {

    @TempDir
    Path root;

    private String lastOut = "";
    private String lastErr = "";

    @BeforeEach
    void requireRoot() {
        RootOnly.require();
    }

    @AfterEach
    void removeEverything() {
        isola("ps", "-a", "-q");
        for (String id : lastOut.lines().toList()) {
            isola("rm", "-f", id);
        }
    }

    private int isola(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        lastOut = out.toString();
        lastErr = err.toString();
        return code;
    }

    /** The CLI in a JVM of its own, for verbs whose output is the container's (exec, foreground run). */
    private String okProcess(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        Process cli = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(cli.getErrorStream().readAllBytes(), UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(cli.getInputStream().readAllBytes(), UTF_8);
        assertTrue(cli.waitFor(60, TimeUnit.SECONDS), "the CLI did not exit");
        assertEquals(0, cli.exitValue(), () -> String.join(" ", args) + ": " + err.join());
        return out;
    }

    private String ok(String... args) {
        assertEquals(0, isola(args), () -> String.join(" ", args) + ": " + lastErr);
        return lastOut;
    }

    @Test
    void execSeesTheSameHostnameAndPidNamespaceAsTheDetachedContainer() throws Exception {
        String id = ok("run", "-d", "--name", "web", "--hostname", "box", "--", "sleep", "1000")
                .strip();
        assertEquals(64, id.length(), id);

        String seen = okProcess("exec", "web", "sh", "-c", "hostname; ps -e -o pid=,args=");

        List<String> lines = seen.lines().map(String::strip).toList();
        assertEquals("box", lines.get(0));
        assertTrue(lines.contains("1 sleep 1000"), seen);
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("ps -e -o pid=,args=")), seen);
        assertTrue(ok("ps").contains("web"), lastOut);
    }

    /** exec runs as the container's user unless -u says another, names from the container's files. */
    @Test
    void execRunsAsTheContainersUserOrTheOneItIsGiven() throws Exception {
        ok("run", "-d", "--name", "low", "-u", "nobody", "--", "sleep", "1000");

        assertEquals(
                "65534:65534",
                okProcess("exec", "low", "sh", "-c", "echo $(id -u):$(id -g)").strip());
        assertEquals(
                "0:65534",
                okProcess("exec", "-u", "root:nogroup", "low", "sh", "-c", "echo $(id -u):$(id -g)")
                        .strip());
        assertEquals(
                "1234:0",
                okProcess("exec", "--user", "1234", "low", "sh", "-c", "echo $(id -u):$(id -g)")
                        .strip());
        assertEquals(1, isola("exec", "-u", "nosuchuser", "low", "true"));
        assertEquals("isola: --user \"nosuchuser\": no user \"nosuchuser\" in the container's /etc/passwd\n", lastErr);
        assertEquals("65534:65534", inspect("low").get("Config").get("User").asText());
    }

    @Test
    void stopKillsAPid1ThatIgnoresSigtermAfterTheTimeout() throws Exception {
        ok("run", "-d", "--name", "stubborn", "--", "sleep", "1000");
        long start = System.nanoTime();

        ok("stop", "-t", "1", "stubborn");

        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsed >= 1000, "stopped after " + elapsed + " ms");
        JsonNode state = inspect("stubborn").get("State");
        assertEquals("exited", state.get("Status").asText());
        assertEquals(137, state.get("ExitCode").asInt());
        assertEquals("137", ok("wait", "stubborn").strip());
    }

    @Test
    void killTakesTheSignalAsRuncAndAsDockerDo() {
        ok("run", "-d", "--name", "target", "--", "sleep", "1000");
        assertEquals(1, isola("kill", "-s", "KILL", "target", "TERM"));
        assertTrue(lastErr.startsWith("isola: signal \"TERM\" and --signal \"KILL\": expected one of them"), lastErr);
        ok("kill", "-s", "KILL", "target");
        assertEquals("137", ok("wait", "target").strip());

        // without a signal, Docker's KILL: a TERM would end this one with its trap's 3
        ok("run", "-d", "--name", "trapping", "--", "sh", "-c", "trap 'exit 3' TERM; while :; do sleep 0.1; done");
        assertEquals("trapping\n", ok("kill", "trapping"));
        assertEquals("137", ok("wait", "trapping").strip());
    }

    @Test
    void logsReturnWhatTheContainerPrintedAndWaitItsExitCode() {
        ok("run", "-d", "--name", "talker", "--", "sh", "-c", "echo to stdout; echo to stderr >&2; exit 4");

        assertEquals("4", ok("wait", "talker").strip());
        String logs = ok("logs", "talker");
        assertTrue(logs.contains("to stdout\n") && logs.contains("to stderr\n"), logs);
        assertEquals("to stderr\n", ok("logs", "--tail", "1", "talker")); // one shell wrote both, in order
        assertEquals(logs, ok("logs", "-n", "all", "talker"));
    }

    @Test
    void inspectShowsNamespacesThatDifferFromTheHosts() throws Exception {
        ok("run", "-d", "--name", "ns", "--", "sleep", "1000");

        JsonNode namespaces = inspect("ns").get("Namespaces");

        for (String ns : List.of("uts", "ipc", "pid", "mnt", "net")) {
            JsonNode pair = namespaces.get(ns);
            assertNotEquals(pair.get("Host").asText(), pair.get("Container").asText(), ns);
            assertEquals(
                    Files.readSymbolicLink(Path.of("/proc/self/ns", ns)).toString(),
                    pair.get("Host").asText());
        }
        assertEquals(
                namespaces.get("user").get("Host").asText(),
                namespaces.get("user").get("Container").asText());
    }

    @Test
    void initReapsOrphansSoNoZombieIsLeft() throws Exception {
        // the orphan's parent exits at once; PID 1 is then a sleep, which never reaps anything
        String orphaning = "sh -c 'sleep 0.2 &'; exec sleep 100";
        ok("run", "-d", "--name", "bare", "--", "sh", "-c", orphaning);
        ok("run", "-d", "--init", "--name", "tini", "--", "sh", "-c", orphaning);
        Thread.sleep(1500);

        String bare = okProcess("exec", "bare", "ps", "-e", "-o", "stat=,args=");
        String withInit = okProcess("exec", "tini", "ps", "-e", "-o", "stat=,args=");

        assertTrue(bare.lines().anyMatch(l -> l.strip().startsWith("Z")), "control: no zombie without --init: " + bare);
        assertFalse(withInit.lines().anyMatch(l -> l.strip().startsWith("Z")), withInit);
        assertTrue(withInit.contains("tini") || withInit.contains("catatonit"), withInit);
    }

    @Test
    void errorsExitOneLineWith125ForRunAnd1ForTheOtherVerbs() {
        assertEquals(1, isola("exec", "nosuch", "true"));
        assertEquals("isola: no such container: nosuch\n", lastErr);
        ok("run", "-d", "--name", "dup", "--", "sleep", "100");
        assertEquals(125, isola("run", "-d", "--name", "dup", "--", "true"));
        assertTrue(lastErr.contains("\"dup\" is already in use"), lastErr);
        assertEquals(1, isola("rm", "dup"), "Docker's rm exits 1");
        assertTrue(lastErr.contains("stop it first or remove it with -f"), lastErr);
    }

    /**
     * A foreground --rm container whose CLI was SIGKILLed runs on with no monitor: the next ps says
     * so, and once it has ended the next ps removes it, as its monitor would have, cgroup and all.
     */
    @Test
    void anOrphanedRmContainerIsReportedUnsupervisedAndRemovedOnceItEnds() throws Exception {
        Orphan orphan = startAndKillCli("orphan");

        String listed = ok("ps");
        assertTrue(listed.contains(" (unsupervised)"), listed);
        assertTrue(listed.contains("its monitor died"), listed);
        ProcessHandle.of(orphan.pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitGone(orphan.pid);

        listed = ok("ps");
        assertFalse(listed.contains("orphan"), "a --rm container is removed once it ended: " + listed);
        assertFalse(Files.exists(root.resolve(orphan.id)), "its state");
        assertEquals(List.of(), cgroupsOf(orphan.id), "its cgroups");
    }

    /** rm -f of a container whose monitor died kills every process of its cgroup and removes the cgroup. */
    @Test
    void rmForceStopsAndRemovesAContainerWhoseMonitorDied() throws Exception {
        Orphan orphan = startAndKillCli("orphan2");

        ok("rm", "-f", "orphan2");

        assertFalse(alive(orphan.pid), "its process");
        assertFalse(Files.exists(root.resolve(orphan.id)), "its state");
        assertEquals(List.of(), cgroupsOf(orphan.id), "its cgroups");
    }

    /** A truncated state.json hides nothing: ps reports it, rm -f kills its processes through its cgroup. */
    @Test
    void aTruncatedStateFileIsReportedAndRmForceStillKillsAndRemovesIt() throws Exception {
        String id = ok("run", "-d", "--name", "truncated", "-m", "64m", "--", "sleep", "1000")
                .strip();
        long pid = inspect(id).get("State").get("Pid").asLong();
        Path file = root.resolve(id).resolve("state.json");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 40));

        String listed = ok("ps");
        assertTrue(listed.contains(id.substring(0, 12)) && listed.contains("Dead (state unreadable)"), listed);
        assertTrue(ok("inspect", id).contains("state unreadable"), lastOut);
        assertEquals(1, isola("stop", id), "stop cannot tell which process to signal");
        assertTrue(lastErr.contains("its state cannot be read") && lastErr.contains("rm -f"), lastErr);
        ok("rm", "-f", id);

        awaitGone(pid);
        assertFalse(alive(pid), "its process");
        assertFalse(Files.exists(root.resolve(id)), "its state");
        assertEquals(List.of(), cgroupsOf(id), "its cgroups");
    }

    /** wait on a container whose monitor died before it recorded the exit fails and says why, never "0". */
    @Test
    void waitOnALostExitStatusFailsAndSaysSo() throws Exception {
        String id = ok("run", "-d", "--name", "lost", "--", "sleep", "1000").strip();
        JsonNode state = inspect(id);
        long monitor = state.get("Monitor").get("Pid").asLong();
        ProcessHandle.of(monitor).ifPresent(ProcessHandle::destroyForcibly);
        awaitGone(monitor);
        long pid = state.get("State").get("Pid").asLong();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitGone(pid);

        assertEquals(1, isola("wait", "lost"));

        assertEquals("", lastOut);
        assertTrue(lastErr.contains("exit status unknown") && lastErr.contains("its monitor died"), lastErr);
    }

    private record Orphan(String id, long pid) {}

    /** A foreground run --rm in a CLI process of its own, SIGKILLed once its container runs. */
    private Orphan startAndKillCli(String name) throws Exception {
        List<String> args = new ArrayList<>(
                List.of("--root", root.toString(), "run", "--rm", "--name", name, "-m", "64m", "--", "sleep", "1000"));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), args));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        Process cli = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long pid = 0;
        String id = null;
        for (int i = 0; i < 300 && pid == 0; i++) {
            Thread.sleep(100);
            if (isola("inspect", name) == 0) {
                JsonNode state = new ObjectMapper().readTree(lastOut).get(0);
                pid = state.get("State").get("Pid").asLong();
                id = state.get("Id").asText();
            }
        }
        assertNotEquals(0, pid, "the container never ran");
        cli.destroyForcibly().waitFor();
        assertTrue(alive(pid), "the container outlives its CLI");
        return new Orphan(id, pid);
    }

    private static boolean alive(long pid) {
        return ProcessIdentity.of(pid).pid() > 0;
    }

    private static void awaitGone(long pid) throws InterruptedException {
        for (int i = 0; i < 200 && alive(pid); i++) {
            Thread.sleep(50);
        }
    }

    /** The cgroup directories named after container {@code id}, in every hierarchy. */
    static List<Path> cgroupsOf(String id) throws Exception {
        try (Stream<Path> walk = Files.walk(Path.of("/sys/fs/cgroup"), 5)) {
            return walk.filter(p -> p.getFileName().toString().equals(id)).toList();
        }
    }

    private JsonNode inspect(String id) throws Exception {
        return new ObjectMapper().readTree(ok("inspect", id)).get(0);
    }
}
