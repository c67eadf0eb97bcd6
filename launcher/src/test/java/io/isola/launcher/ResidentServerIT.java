package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.lifecycle.MonitorProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin client and the resident server end to end, each in a JVM of its own as bin/isola runs
 * them: a server directory and state root per test, the server started by the first client.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ResidentServerIT {

    private static final String CLIENT = "io.isola.launcher.client.Client";

    @TempDir
    Path tmp;

    private Path serverDir;
    private Path root;
    private String lastErr = "";

    @BeforeEach
    void setUp() throws IOException {
        RootOnly.require();
        serverDir = tmp.resolve("srv");
        root = Files.createDirectory(tmp.resolve("state"));
    }

    @AfterEach
    void stopEverything() throws Exception {
        StringWriter out = new StringWriter();
        Main.execute(new String[] {"--root", root.toString(), "ps", "-q"}, new PrintWriter(out), new PrintWriter(new StringWriter()));
        for (String id : out.toString().lines().toList()) {
            Main.execute(new String[] {"--root", root.toString(), "rm", "-f", id}, new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()));
        }
        ResidentServers.stopAll(serverDir);
    }

    /** The server processes of this test's directory. */
    private List<ProcessHandle> servers() throws IOException {
        return ResidentServers.running(serverDir);
    }

    private List<String> client(Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(CLIENT, all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.server.dir=" + serverDir);
        command.add(1, "-Disola.server.command=" + String.join(" ", serverCommand()));
        return command;
    }

    private static List<String> serverCommand() {
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        return command;
    }

    private Process start(Map<String, String> env, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(client(env, args));
        builder.environment().put("ISOLA_SERVER_IDLE", "60");
        builder.environment().remove("ISOLA_SERVER");
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs the client to its end: its exit status; stdout returned, stderr in lastErr. */
    private record Result(int code, String out, String err) {}

    private Result run(Map<String, String> env, String stdin, String... args) throws Exception {
        Process client = start(env, args);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(client.getErrorStream()));
        if (stdin != null) {
            client.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        client.getOutputStream().close();
        String out = read(client.getInputStream());
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the client did not exit");
        lastErr = err.join();
        return new Result(client.exitValue(), out, lastErr);
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private Path socket() throws IOException {
        try (Stream<Path> files = Files.list(serverDir)) {
            return files.filter(p -> p.toString().endsWith(".sock")).findFirst().orElse(null);
        }
    }

    @Test
    void outputExitCodeAndStdinGoThroughTheServer() throws Exception {
        Result result = run(Map.of(), null, "run", "--", "sh", "-c", "echo out; echo err >&2; exit 3");

        assertEquals(3, result.code(), result.err());
        assertEquals("out\n", result.out());
        assertEquals("err\n", result.err());
        assertNotEquals(null, socket(), "the first client started a server");
        assertEquals(1, servers().size());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(serverDir)));

        Result cat = run(Map.of(), "through stdin\n", "run", "-i", "--", "cat");
        assertEquals(0, cat.code(), cat.err());
        assertEquals("through stdin\n", cat.out());

        Result bad = run(Map.of(), null, "run", "--hostname", "bad name!", "--", "true");
        assertEquals(125, bad.code());
        assertTrue(bad.err().startsWith("isola: hostname \"bad name!\""), bad.err());
        assertEquals(1, servers().size(), "one server served all three");
    }

    @Test
    void theClientsSigtermReachesTheContainer() throws Exception {
        Process client = start(Map.of(), "run", "--", "sh", "-c",
                "trap 'echo got TERM; exit 7' TERM; echo ready; while true; do sleep 0.1; done");
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), () -> read(client.getErrorStream()));

        client.toHandle().destroy(); // SIGTERM to the client (Process.destroy would close our pipes too)

        assertEquals("got TERM", out.readLine(), () -> "stderr: " + read(client.getErrorStream()));
        assertTrue(client.waitFor(60, TimeUnit.SECONDS));
        assertEquals(7, client.exitValue());
    }

    @Test
    void detachedContainersAreMonitoredByTheServerNotByAJvmEach() throws Exception {
        Result started = run(Map.of(), null, "run", "-d", "--name", "bg", "--", "sh", "-c", "sleep 1; exit 5");
        assertEquals(0, started.code(), started.err());
        String id = started.out().strip();
        assertEquals(64, id.length(), started.out());

        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains("__monitor " + id)),
                "no monitor JVM for the container");
        Result waited = run(Map.of(), null, "wait", "bg");
        assertEquals("5", waited.out().strip(), waited.err());
        Result listed = run(Map.of(), null, "list");
        assertTrue(listed.out().contains("bg") && listed.out().contains("exited (5)"), listed.out() + listed.err());
    }

    @Test
    void aKilledClientLeavesItsContainerToTheServerWhichRecordsTheEnd() throws Exception {
        Process client = start(Map.of(), "run", "--name", "orphan", "--", "sh", "-c", "echo ready; exec sleep 1000");
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), () -> read(client.getErrorStream()));

        client.destroyForcibly().waitFor();

        Result listed = run(Map.of(), null, "ps");
        assertTrue(listed.out().contains("orphan") && listed.out().contains("running"), listed.out());
        assertFalse(listed.out().contains("monitor died"), listed.out());
        assertEquals(0, run(Map.of(), null, "kill", "orphan", "KILL").code(), lastErr);
        // a foreground container's state goes when it ends: the server reaped it and removed it
        boolean gone = false;
        for (int i = 0; i < 100 && !gone; i++) {
            Thread.sleep(100);
            gone = !Files.exists(root.resolve(idOf("orphan")));
        }
        assertTrue(gone, "the state of the ended container was removed");
    }

    private static String modes(Path path) {
        StringBuilder modes = new StringBuilder();
        for (Path p = path; p != null; p = p.getParent()) {
            try {
                modes.append(p).append('=').append(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))).append(' ');
            } catch (IOException e) {
                modes.append(p).append('=').append(e).append(' ');
            }
        }
        return modes.toString();
    }

    private String idOf(String name) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                Path state = dir.resolve("state.json");
                if (Files.exists(state) && Files.readString(state).contains("\"" + name + "\"")) {
                    return dir.getFileName().toString();
                }
            }
        }
        return "none";
    }

    @Test
    void aKilledServerIsReplacedByTheNextCommand() throws Exception {
        assertEquals(0, run(Map.of(), null, "ps").code(), lastErr);
        List<ProcessHandle> first = servers();
        assertEquals(1, first.size());

        first.get(0).destroyForcibly();
        first.get(0).onExit().get(30, TimeUnit.SECONDS);
        assertTrue(Files.exists(socket()), "the killed server's socket is still there");

        Result next = run(Map.of(), null, "run", "--", "echo", "recovered");
        assertEquals(0, next.code(), next.err());
        assertEquals("recovered\n", next.out());
        List<ProcessHandle> second = servers();
        assertEquals(1, second.size());
        assertNotEquals(first.get(0).pid(), second.get(0).pid());
    }

    /**
     * -t is served too: the container gets a terminal of its own, which the server relays to the
     * client's output (a pipe here; TerminalCliIT drives one at a pty).
     */
    @Test
    void aTerminalRunIsServedToo() throws Exception {
        Result result = run(Map.of(), null, "run", "-t", "--", "sh", "-c", "[ -t 1 ] && echo has-a-terminal; exit 5");

        assertEquals(5, result.code(), result.err());
        assertTrue(result.out().contains("has-a-terminal"), result.out());
        assertEquals("", result.err());
        assertEquals(1, servers().size(), "the server ran it");
    }

    @Test
    void isolaServerOffRunsInProcessWithoutAServer() throws Exception {
        Result result = run(Map.of("ISOLA_SERVER", "off"), null, "run", "--", "sh", "-c", "echo in-process; exit 4");

        assertEquals(4, result.code(), result.err());
        assertEquals("in-process\n", result.out());
        assertFalse(Files.exists(serverDir), "no server directory, no server");
    }

    @Test
    void aServerThatCannotStartFallsBackInProcessAndSaysSoOnlyWithDebug() throws Exception {
        List<String> command = new ArrayList<>(client(Map.of(), "run", "--", "echo", "fallback"));
        command.replaceAll(arg -> arg.startsWith("-Disola.server.command=") ? "-Disola.server.command=/bin/false" : arg);
        Process client = new ProcessBuilder(command).start();
        String out = read(client.getInputStream());
        String err = read(client.getErrorStream());
        assertTrue(client.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, client.exitValue(), err);
        assertEquals("fallback\n", out);
        assertEquals("", err);
    }

    @Test
    void theServerRefusesAPeerOfAnotherUid() throws Exception {
        assertEquals(0, run(Map.of(), null, "ps").code(), lastErr);
        Path socket = socket();
        // let uid 65534 reach the socket, so that only the server's own check stands in its way
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(serverDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        String python = "import socket\n"
                + "s=socket.socket(socket.AF_UNIX)\n"
                + "s.connect('" + socket + "')\n"
                + "s.settimeout(30)\n" // the server answers before reading: the uid is known at connect
                + "print(s.recv(5)[:1].decode())\n";
        Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", python)
                .start();
        String answer = read(nobody.getInputStream()).strip();
        String err = read(nobody.getErrorStream());
        assertTrue(nobody.waitFor(30, TimeUnit.SECONDS));
        assertEquals("R", answer, () -> err + " " + socket + " " + modes(socket));
        Files.setPosixFilePermissions(serverDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertEquals(0, run(Map.of(), null, "ps").code(), "the server still serves its own uid: " + lastErr);
    }
}
