package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.lifecycle.MonitorProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/isola's shell client ({@code lib/shell-client.bash} of the distribution) against a real
 * resident server: what it runs is served without a JVM of its own, and whatever it cannot be
 * sure of (another installation or environment, a dead server, a regular file or a closed
 * stream) it leaves to the JVM client, having sent nothing. The server is started the way bin/isola
 * starts it, by the JVM client. The tests share one installation and its server (a start costs
 * ~3 s); a test that kills or stops its server has an installation of its own ({@link #ownServer}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShellClientIT {

    private static final Path SCRIPT = Path.of("../dist/src/main/dist/lib/shell-client.bash")
            .toAbsolutePath()
            .normalize();
    /** What the test's stand-in for bin/isola says when the shell client returned: the JVM client's turn. */
    private static final int NOT_SERVED = 99;

    /** The installation, server directory and state root the tests share. */
    @TempDir
    static Path shared;

    private static Installation sharedInstallation;

    @TempDir
    Path tmp;

    private Path home;
    private Path serverDir;
    private Path root;
    private Installation own;

    /** An installation directory with its server directory and state root: bin/isola's server has no isola.bundles property. */
    private record Installation(Path home, Path serverDir, Path root) {

        static Installation in(Path dir) throws IOException {
            Path home = Files.createDirectory(dir.resolve("home"));
            Files.createSymbolicLink(
                    home.resolve("bundles"),
                    Path.of(System.getProperty("isola.bundles")).toAbsolutePath());
            Path conf = Files.createDirectory(home.resolve("conf"));
            try (Stream<Path> files = Files.list(Path.of("../dist/src/main/dist/conf"))) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".cfg")).toList()) {
                    Files.copy(file, conf.resolve(file.getFileName()));
                }
            }
            return new Installation(home, dir.resolve("srv"), Files.createDirectory(dir.resolve("state")));
        }

        void remove() throws IOException {
            ResidentServers.stopAll(serverDir);
            Files.deleteIfExists(home.resolve("bundles")); // the link: @TempDir warns of one to outside
        }
    }

    @BeforeAll
    static void setUpShared() throws IOException {
        RootOnly.require();
        assertTrue(Files.isReadable(SCRIPT), SCRIPT + " is missing");
        sharedInstallation = Installation.in(shared);
    }

    @AfterAll
    static void stopShared() throws IOException {
        if (sharedInstallation != null) {
            sharedInstallation.remove();
        }
    }

    @BeforeEach
    void setUp() {
        use(sharedInstallation);
    }

    @AfterEach
    void stopOwnServer() throws Exception {
        if (own != null) {
            own.remove();
        }
    }

    /** For a test that kills or stops its server: an installation, server and state root of its own. */
    private void ownServer() throws IOException {
        own = Installation.in(tmp);
        use(own);
    }

    private void use(Installation installation) {
        home = installation.home();
        serverDir = installation.serverDir();
        root = installation.root();
    }

    @Test
    void servesOutputStatusStdinAndSharesTheCallersFiles() throws Exception {
        startServer();
        Path endpoint = endpoint();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(endpoint)));

        Result result = shell(Map.of(), null, "isola run -- sh -c 'echo out; echo err >&2; exit 3'");
        assertEquals(3, result.code(), result.err());
        assertEquals("out\n", result.out());
        assertEquals("err\n", result.err());

        Result cat = shell(Map.of(), "through stdin\n", "isola run -i -- cat");
        assertEquals(0, cat.code(), cat.err());
        assertEquals("through stdin\n", cat.out());

        // the container writes through the caller's own open file: one offset, as with a CLI (the
        // shell client leaves a regular file to the JVM client, which passes it with SCM_RIGHTS)
        Path file = tmp.resolve("out.txt");
        Result notTaken = shell(Map.of(), null, "isola run -- echo b > " + file);
        assertEquals(NOT_SERVED, notTaken.code(), notTaken.err());
        Result shared = shell(
                Map.of("JVM_CLIENT", jvmClient()),
                null,
                "{ echo a; (isola run -- echo b); echo c; } > " + file + "; cat " + file);
        assertEquals("a\nb\nc\n", shared.out(), shared.err());
        Result appended = shell(
                Map.of("JVM_CLIENT", jvmClient()),
                null,
                "{ (isola run -- echo d); echo e; } >> " + file + "; cat " + file);
        assertEquals("a\nb\nc\nd\ne\n", appended.out(), appended.err());

        // a pipe, a FIFO of the caller's and /dev/null are the caller's very files
        Result piped = shell(Map.of(), null, "isola run -- echo piped | tr a-z A-Z");
        assertEquals("PIPED\n", piped.out(), piped.err());

        // a subshell is a process of its own: the server takes its streams, not its parent's
        Result subshell = shell(Map.of(), null, "out=$(isola run -- echo from-a-subshell); echo \"[$out]\"");
        assertEquals("[from-a-subshell]\n", subshell.out(), subshell.err());
    }

    /**
     * start, state, kill and delete (bin/isola sets {@code _isola_relay_output} for them) are
     * served when the caller's stdout or stderr is a regular file: what the server writes goes
     * through a relay that holds the caller's own open file, so it lands between what the caller
     * wrote before and after, and is all there when the command returns. Before, the shell client
     * left such a verb, which bin/isola then ran in-process: an engine that gives its runtime a
     * file ({@code podman run > FILE}, podman's start) paid a JVM of ~1 s for it.
     */
    @Test
    void relaysTheEngineVerbsOutputToTheCallersOwnFile() throws Exception {
        startServer();
        Path file = tmp.resolve("relayed.txt");
        Result both = shell(
                Map.of(),
                null,
                "{ echo a; echo b >&2; (_isola_relay_output=1 isola state no-such-container) || echo \"status $?\";"
                        + " echo c; echo d >&2; } > " + file + " 2>&1; cat " + file);
        List<String> lines = both.out().lines().toList();
        assertEquals("status 1", lines.get(lines.size() - 3), both.out() + both.err()); // not NOT_SERVED's 99
        assertEquals(List.of("a", "b"), lines.subList(0, 2), both.out());
        assertEquals(List.of("c", "d"), lines.subList(lines.size() - 2, lines.size()), both.out());
        assertTrue(
                String.join("\n", lines.subList(2, lines.size() - 3)).contains("no-such-container"),
                "the server's error is not between the caller's lines: " + both.out());

        Result stdout = shell(
                Map.of(),
                null,
                "echo a > " + file + "; _isola_relay_output=1 isola state no-such-container >> " + file);
        assertEquals(1, stdout.code(), stdout.err());
        assertTrue(stdout.err().contains("no-such-container"), stdout.err());

        // any other verb still leaves a file to the JVM client: a container's stream must be the file itself
        Result run = shell(Map.of(), null, "_isola_relay_output=0 isola run -- true > " + file);
        assertEquals(NOT_SERVED, run.code(), run.err());
    }

    /**
     * isola exec is served like run: output, status and stdin are the caller's, the process is in
     * the container. An engine's exec (conmon's and the shim's, with a pid file) must be the
     * caller's child: the shell client leaves it, having run nothing.
     */
    @Test
    void servesTheClisExecButLeavesAnEnginesToItsCaller() throws Exception {
        startServer();
        Result started = shell(Map.of(), null, "isola run -d -- sleep 60");
        assertEquals(0, started.code(), started.err());
        String id = started.out().strip();
        try {
            Result result = shell(
                    Map.of(),
                    null,
                    "isola exec " + id
                            + " sh -c 'echo out; echo err >&2; tr \"\\\\0\" \" \" </proc/1/cmdline; echo; exit 3'");
            assertEquals(3, result.code(), result.err());
            assertEquals("out\nsleep 60 \n", result.out(), "not in the container's pid namespace");
            assertEquals("err\n", result.err());

            Result cat = shell(Map.of(), "through stdin\n", "isola exec -i " + id + " cat");
            assertEquals(0, cat.code(), cat.err());
            assertEquals("through stdin\n", cat.out());

            Path pidFile = tmp.resolve("exec.pid");
            Result engine = shell(Map.of(), null, "isola exec --pid-file " + pidFile + " " + id + " true");
            assertEquals(NOT_SERVED, engine.code(), engine.err());
            assertFalse(Files.exists(pidFile), "the server ran an engine's exec");
        } finally {
            shell(Map.of(), null, "isola rm -f " + id);
        }
    }

    @Test
    void servesCommandsThatArriveTogether() throws Exception {
        startServer();
        Result result = shell(
                Map.of(),
                null,
                "pids=(); for i in 1 2 3 4 5 6 7 8; do (isola run -- echo run-$i) & pids+=($!); done;"
                        + " failed=0; for pid in \"${pids[@]}\"; do wait $pid || failed=$((failed+1)); done; echo failed=$failed");
        assertEquals(0, result.code(), result.err());
        List<String> lines = result.out().lines().sorted().toList();
        assertEquals(
                List.of("failed=0", "run-1", "run-2", "run-3", "run-4", "run-5", "run-6", "run-7", "run-8"),
                lines,
                result.err());
    }

    /**
     * Three times as many commands as the server keeps channels ready: shells race for each pair.
     * A shell that saw a pair just before another's command took it, or while the server was still
     * making it, must pass it over: bash's open makes a plain file of a name that is gone, and such a
     * command once went unserved (CI, "servesCommandsThatArriveTogether").
     */
    @Test
    void servesManyMoreCommandsThanThePoolHolds() throws Exception {
        startServer();
        for (int round = 0; round < 4; round++) {
            Result result = shell(
                    Map.of(),
                    null,
                    "pids=(); for i in $(seq 1 24); do (isola run -- true) & pids+=($!); done;"
                            + " failed=0; for pid in \"${pids[@]}\"; do wait $pid || failed=$((failed+1)); done; echo failed=$failed");
            assertEquals("failed=0\n", result.out(), result.err());
            try (Stream<Path> files = Files.list(serverDir)) {
                List<Path> plain = files.filter(f -> f.getFileName().toString().matches("[pc]-.*\\.[io]")
                                && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                        .toList();
                assertEquals(List.of(), plain, "a channel that is no FIFO");
            }
        }
    }

    /**
     * The server runs whatever command line a client of its user sends, several at once in one JVM:
     * a {@code --config} (which bin/isola's clients run in-process, but a client may send) is its
     * own command's. Layout kept it in a static, which a command naming none read while the other
     * ran: the plain {@code plugins} booted with the other's configuration.
     */
    @Test
    void aCommandsOwnConfigurationIsNotLentToOneRunningAtTheSameTime() throws Exception {
        startServer();
        Path other = Files.createDirectory(tmp.resolve("other-conf"));
        try (Stream<Path> files = Files.list(home.resolve("conf"))) {
            for (Path file : files.toList()) {
                Files.copy(file, other.resolve(file.getFileName()));
            }
        }
        Files.writeString(other.resolve("io.isola.ns.uts.cfg"), "enabled = false\n");

        Result own = shell(Map.of(), null, "(isola --config " + other + " plugins) | grep -w uts");
        assertTrue(own.out().contains("off by default"), "not the command's own configuration: " + own);
        Result warm = shell(Map.of(), null, "(isola plugins) | grep -w uts"); // a ready parser of plugins is kept
        assertTrue(warm.out().contains("on by default"), warm.toString());

        for (int attempt = 0; attempt < 3; attempt++) {
            // the plain command comes while the configured one runs (a container of 3 s)
            Result both = shell(
                    Map.of(),
                    null,
                    "(isola --config " + other + " run -- sleep 3) </dev/null >/dev/null & configured=$!; sleep 1;"
                            + " (isola plugins) | grep -w uts; wait $configured");
            assertEquals(0, both.code(), both.toString());
            assertTrue(
                    both.out().contains("on by default") && !both.out().contains("off by default"),
                    "attempt " + attempt + ": the plain command booted with the other's configuration: " + both);
        }
    }

    /**
     * A detached container of a command line with its own {@code --config} outlives the command: a
     * server that booted that configuration for the command closed it, and the container with it,
     * as the command answered. Such lines run in the caller's process.
     */
    @Test
    void aDetachedContainerOfACommandWithItsOwnConfigurationKeepsRunning() throws Exception {
        startServer();
        Path other = Files.createDirectory(tmp.resolve("detached-conf"));
        try (Stream<Path> files = Files.list(home.resolve("conf"))) {
            for (Path file : files.toList()) {
                Files.copy(file, other.resolve(file.getFileName()));
            }
        }
        Result detached = shell(
                Map.of(),
                null,
                "(isola --config " + other + " run -d --name configured -- sleep 60) >/dev/null </dev/null; sleep 2;"
                        + " (isola ps) | grep -w configured; (isola rm -f configured) >/dev/null");
        assertTrue(detached.out().contains("Up"), "the container did not outlive its command: " + detached);
    }

    @Test
    void forwardsSignalsToTheContainer() throws Exception {
        startServer();
        Process client = start(
                Map.of(), "isola run -- sh -c 'trap \"echo got TERM; exit 9\" TERM; echo ready; sleep 60 & wait'");
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(client.getErrorStream()));
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "the container did not start");
        client.toHandle().destroy(); // SIGTERM to the shell, which forwards it (Process.destroy would close our pipes)
        assertEquals("got TERM", out.readLine());
        assertTrue(client.waitFor(30, TimeUnit.SECONDS));
        assertEquals(9, client.exitValue(), err.join());
    }

    /** bash holds no writer of the server's FIFO once the server has answered: its death is an end of file. */
    @Test
    void aServerThatDiesEndsTheCommandInsteadOfHangingIt() throws Exception {
        ownServer();
        startServer();
        Process client = start(Map.of(), "isola run -i -- sh -c 'echo ready; read line; echo \"got $line\"'");
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(client.getErrorStream()));
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "the container did not start");

        ResidentServers.running(serverDir).forEach(ProcessHandle::destroyForcibly);

        boolean ended = client.waitFor(60, TimeUnit.SECONDS);
        // the container lives on (as a killed server's do) and holds the caller's stderr: a line ends it
        try (OutputStream in = client.getOutputStream()) {
            in.write("bye\n".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(ended, "the shell client hung on a dead server");
        assertEquals(125, client.exitValue(), err.join());
        assertTrue(err.join().contains("the server ended while running the command"), err.join());
    }

    @Test
    void givesTheContainerATerminalWhenTheCallerHasOne() throws Exception {
        startServer();
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/script")),
                "script(1) is not installed (apt-get install util-linux)");
        Path inner = tmp.resolve("at-a-terminal.sh");
        Files.writeString(
                inner,
                "set -eu\n" + isolaFunction()
                        + "isola run -t -- sh -c '[ -t 0 ] && [ -t 1 ] && echo terminal; exit 4'\n");
        Result result =
                run(new ProcessBuilder("/usr/bin/script", "-qec", "bash " + inner, "/dev/null"), Map.of(), null);
        assertEquals(4, result.code(), result.out() + result.err());
        assertTrue(result.out().contains("terminal"), result.out());
    }

    @Test
    void leavesToTheJvmClientWhatIsNotThisServersHavingDoneNothing() throws Exception {
        startServer();
        Result otherHome =
                shell(Map.of("HOME_OVERRIDE", tmp.resolve("elsewhere").toString()), null, "isola run -- true");
        assertEquals(NOT_SERVED, otherHome.code(), otherHome.err());

        Result otherRoot =
                shell(Map.of("ISOLA_ROOT", tmp.resolve("other-state").toString()), null, "isola run -- true");
        assertEquals(NOT_SERVED, otherRoot.code(), otherRoot.err());

        Result closedStdout = shell(Map.of(), null, "isola run -- true >&-");
        assertEquals(NOT_SERVED, closedStdout.code(), closedStdout.err());
    }

    /**
     * An empty variable is an unset one, for the server as for isola: podman runs its runtime
     * with XDG_RUNTIME_DIR set to nothing, and a user's server must serve it all the same.
     */
    @Test
    void anEmptyKeyedVariableCountsAsAnUnsetOne() throws Exception {
        assumeTrue(
                System.getenv("ISOLA_ROOT") == null
                        || System.getenv("ISOLA_ROOT").isEmpty(),
                "ISOLA_ROOT is set here");
        startServer();

        Result result = shell(Map.of("ISOLA_ROOT", ""), null, "isola run -- sh -c 'echo served; exit 6'");

        assertEquals(6, result.code(), result.err());
        assertEquals("served\n", result.out());
    }

    @Test
    void linesAStrangerWritesToTheDoorAreDroppedAndTheServerServesOn() throws Exception {
        ownServer(); // the stranger's lines must not reach another test's commands
        startServer();
        Path door = Path.of(endpoint().toString().replaceFirst("\\.shell$", ".fifo"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(door)));
        Result stranger = shell(
                Map.of(),
                null,
                "exec 9<>" + door + "; printf 'garbage\\n%0300d\\nc-1-2 1 3 4\\nc-9-9 9 x 4\\n' 0 >&9;"
                        + " (isola run -- echo still-served | cat)");
        assertEquals("still-served\n", stranger.out(), stranger.err());
    }

    @Test
    void aDeadServersDoorIsNotWaitedFor() throws Exception {
        Path dir = Files.createDirectory(
                tmp.resolve("stale"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(
                dir.resolve("s-stale.shell"),
                "isola-shell-endpoint 2\n" + gone.pid() + " 1\n" + home + "\nISOLA_CONF\nISOLA_ROOT\nXDG_RUNTIME_DIR"
                        + xdg() + "\n");
        assertEquals(
                0,
                new ProcessBuilder(
                                "mkfifo",
                                "-m",
                                "600",
                                dir.resolve("s-stale.fifo").toString())
                        .start()
                        .waitFor());

        Result result = shell(Map.of("ISOLA_SERVER_DIR", dir.toString()), null, "isola run -- echo secret-argument");

        assertEquals(NOT_SERVED, result.code(), result.err());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of("s-stale.fifo", "s-stale.shell"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the client made a channel for a dead server");
        }
    }

    @Test
    void theEndpointGoesWithTheServer() throws Exception {
        ownServer();
        startServer();
        Path endpoint = endpoint();
        assertEquals(1, ResidentServers.stopAll(serverDir));
        assertFalse(Files.exists(endpoint), "a stopped server left its endpoint");
        assertFalse(
                Files.exists(Path.of(endpoint.toString().replaceFirst("\\.shell$", ".fifo"))),
                "a stopped server left its door");
        Result result = shell(Map.of(), null, "isola run -- true");
        assertEquals(NOT_SERVED, result.code(), result.err());
    }

    /**
     * FIFOs in the server directory that are not this user's (a stranger's, planted while the
     * directory was open to others, or swapped in between the client's checks and its opens) get
     * no command line: the client checks what it has opened, not a name that may have changed.
     */
    @Test
    void aStrangersFifosInTheServerDirectoryGetNoCommandLine() throws Exception {
        ownServer(); // its pairs are swapped
        startServer();
        // the stranger replaces every ready pair with FIFOs of its own, and reads what comes
        Process stranger = new ProcessBuilder(
                        "bash",
                        "-c",
                        "cd " + serverDir + "; for i in p-*.i; do b=${i%.i}; rm -f $b.i $b.o;"
                                + " mkfifo -m 666 $b.i $b.o; chown 65534:65534 $b.i $b.o;"
                                + " timeout 60 cat 0<>$b.i & done; echo planted; wait")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(stranger.getInputStream(), StandardCharsets.ISO_8859_1));
            assertEquals("planted", out.readLine());

            Result result = shell(Map.of(), null, "isola run -- echo secret-argument");

            stranger.descendants().forEach(ProcessHandle::destroyForcibly);
            StringBuilder stolen = new StringBuilder();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                stolen.append(line).append('\n');
            }
            assertFalse(stolen.toString().contains("secret-argument"), "the stranger read: " + stolen);
            assertEquals("secret-argument\n", result.out(), result.err()); // a pair of its own, served
        } finally {
            stranger.descendants().forEach(ProcessHandle::destroyForcibly);
            stranger.destroyForcibly();
            stranger.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A server directory open to other users (a mistaken chmod, a directory made by hand or with
     * another umask) is used by no client and no server: the server that finds its directory so
     * stops serving, one asked to serve there refuses, as the JVM client does.
     */
    @Test
    void noServerServesFromADirectoryOpenToOthers() throws Exception {
        ownServer();
        startServer();
        Path endpoint = endpoint();
        Files.setPosixFilePermissions(serverDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (int i = 0; i < 100 && !ResidentServers.running(serverDir).isEmpty(); i++) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), ResidentServers.running(serverDir), "the server serves on from an open directory");
        assertFalse(Files.exists(endpoint), "the server left its endpoint in an open directory");
        Result result = shell(Map.of(), null, "isola run -- true");
        assertEquals(NOT_SERVED, result.code(), result.err());

        List<String> server = new ArrayList<>(MonitorProcess.javaCommand(
                Main.class.getName(),
                List.of("__server", endpoint.resolveSibling("s-open.sock").toString())));
        server.add(1, "-Disola.home=" + home);
        Process process = new ProcessBuilder(server).redirectErrorStream(true).start();
        String output = read(process.getInputStream());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains(serverDir + " is open to other users (expected mode 0700)"), output);
        assertFalse(Files.exists(endpoint.resolveSibling("s-open.sock")), output);
    }

    private static String xdg() {
        String value = System.getenv("XDG_RUNTIME_DIR");
        return value == null || value.isEmpty() ? "" : "=" + value;
    }

    /** Starts the server as bin/isola does, the JVM client's first command, unless it runs (a shared one). */
    private void startServer() throws Exception {
        if (!ResidentServers.running(serverDir).isEmpty()) {
            return;
        }
        List<String> server = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        server.add(1, "-Disola.home=" + home);
        List<String> client = new ArrayList<>(MonitorProcess.javaCommand(
                "io.isola.launcher.client.Client", List.of("--root", root.toString(), "run", "--", "true")));
        client.add(1, "-Disola.home=" + home);
        client.add(1, "-Disola.server.dir=" + serverDir);
        client.add(1, "-Disola.server.command=" + String.join(" ", server));
        ProcessBuilder builder = new ProcessBuilder(client).redirectErrorStream(true);
        builder.environment()
                .put("ISOLA_SERVER_IDLE", "600"); // the class's run, however slow the host: stopped after it
        builder.environment().remove("ISOLA_SERVER");
        Process process = builder.start();
        String output = read(process.getInputStream());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
    }

    private Path endpoint() throws IOException {
        try (Stream<Path> files = Files.list(serverDir)) {
            return files.filter(p -> p.toString().endsWith(".shell"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no endpoint"));
        }
    }

    private record Result(int code, String out, String err) {}

    /**
     * Runs {@code script} in bash, where {@code isola} is bin/isola's shell client for the test's
     * installation that exits {@link #NOT_SERVED} when the shell client returns.
     */
    private Result shell(Map<String, String> env, String stdin, String script) throws Exception {
        return run(bash(script), env, stdin);
    }

    private Result run(ProcessBuilder builder, Map<String, String> env, String stdin) throws Exception {
        Process process = start(builder, env);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = read(process.getInputStream());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the shell did not exit");
        return new Result(process.exitValue(), out, err.join());
    }

    /**
     * bin/isola's shell path as a function; it exits the shell that calls it, as bin/isola is a
     * process of its own. With $JVM_CLIENT, that JVM client takes what the shell client leaves.
     */
    private String isolaFunction() {
        return "isola() { ISOLA_HOME=${HOME_OVERRIDE:-" + home + "}; . " + SCRIPT + "; isola_shell_client --root "
                + root + " \"$@\"; [ -z \"${JVM_CLIENT:-}\" ] || exec $JVM_CLIENT --root " + root + " \"$@\"; exit "
                + NOT_SERVED + "; }\n";
    }

    /** bin/isola's JVM client for the test's installation and server directory, as one line. */
    private String jvmClient() {
        List<String> client = new ArrayList<>(MonitorProcess.javaCommand("io.isola.launcher.client.Client", List.of()));
        client.add(1, "-Disola.home=" + home);
        client.add(1, "-Disola.server.dir=" + serverDir);
        return String.join(" ", client);
    }

    private Process start(Map<String, String> env, String script) throws IOException {
        return start(bash(script), env);
    }

    private ProcessBuilder bash(String script) {
        return new ProcessBuilder("bash", "-c", "set -eu\n" + isolaFunction() + script);
    }

    private Process start(ProcessBuilder builder, Map<String, String> env) throws IOException {
        builder.environment().put("ISOLA_SERVER_DIR", serverDir.toString());
        builder.environment().remove("ISOLA_SERVER");
        builder.environment().putAll(env);
        return builder.start();
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
