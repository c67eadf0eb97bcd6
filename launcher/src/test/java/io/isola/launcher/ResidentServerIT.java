package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.launcher.image.ImageArchives;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin client and the resident server end to end, each in a JVM of its own as bin/isola runs
 * them: a server directory and state root per test, the server started by the first client. The
 * tests about what a running server serves share one server ({@link #sharedServer}; a start costs
 * ~3 s), each with its own state root.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ResidentServerIT {

    private static final String CLIENT = "io.isola.launcher.client.Client";
    private static final int PR_SET_CHILD_SUBREAPER = 36;

    /** The shared server's directory. */
    @TempDir
    static Path shared;

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

    @AfterAll
    static void stopShared() throws IOException {
        ResidentServers.stopAll(shared.resolve("srv"));
    }

    /**
     * For a test of what a running server serves: the class's server (started by this test's
     * first client if none runs), not one of its own.
     */
    private void sharedServer() {
        serverDir = shared.resolve("srv");
    }

    @AfterEach
    void stopEverything() throws Exception {
        StringWriter out = new StringWriter();
        Main.execute(
                new String[] {"--root", root.toString(), "ps", "-a", "-q"},
                new PrintWriter(out),
                new PrintWriter(new StringWriter()));
        for (String id : out.toString().lines().toList()) {
            Main.execute(
                    new String[] {"--root", root.toString(), "rm", "-f", id},
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()));
        }
        ResidentServers.stopAll(tmp.resolve("srv"));
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
        if (env.containsKey("ISOLA_CLIENT_CLASSPATH")) { // a client that cannot run the command itself
            command.add(1, "-Disola.client.classpath=" + env.get("ISOLA_CLIENT_CLASSPATH"));
        }
        return command;
    }

    private static List<String> serverCommand() {
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        return command;
    }

    private Process start(Map<String, String> env, String... args) throws IOException {
        return builder(env, client(env, args)).start();
    }

    private static ProcessBuilder builder(Map<String, String> env, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment()
                .put("ISOLA_SERVER_IDLE", "600"); // the class's run, however slow the host: stopped after it
        builder.environment().remove("ISOLA_SERVER");
        builder.environment().putAll(env);
        return builder;
    }

    /**
     * OCI create through the client, its output to a file: the created container keeps the
     * client's stdio, as it keeps an engine's (so a pipe read to its end would not end).
     */
    private void create(Path bundle, String id) throws Exception {
        Path err = tmp.resolve(id + ".err");
        Process client = builder(Map.of(), client(Map.of(), "create", "--bundle", bundle.toString(), id))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile())
                .start();
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), "create did not return");
        assertEquals(0, client.exitValue(), Files.readString(err));
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
        assertEquals(
                "rwx------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(serverDir)));

        Result cat = run(Map.of(), "through stdin\n", "run", "-i", "--", "cat");
        assertEquals(0, cat.code(), cat.err());
        assertEquals("through stdin\n", cat.out());

        Result bad = run(Map.of(), null, "run", "--hostname", "bad name!", "--", "true");
        assertEquals(125, bad.code());
        assertTrue(bad.err().startsWith("isola: hostname \"bad name!\""), bad.err());
        assertEquals(1, servers().size(), "one server served all three");
    }

    /** A start that fails in the server leaves no writable layer behind, as one that fails in-process leaves none. */
    @Test
    void aFailedStartThroughTheServerLeavesNoWritableLayer() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        Path store = tmp.resolve("store");
        System.setProperty("isola.root", store.toString());
        try {
            Path archive = ImageArchives.dockerSave(tmp.resolve("bb.tar"), "test/bb:1", false);
            assertEquals(
                    0,
                    Main.execute(
                            new String[] {"image", "import", archive.toString()},
                            new PrintWriter(new StringWriter()),
                            new PrintWriter(new StringWriter())));
        } finally {
            System.clearProperty("isola.root");
        }
        Map<String, String> env = Map.of("ISOLA_ROOT", store.toString());

        for (List<String> run : List.of(
                List.of("run", "--name", "failing", "test/bb:1", "no-such-command"),
                List.of("run", "-d", "test/bb:1", "no-such-command"))) {
            Result result = run(env, null, run.toArray(String[]::new));
            assertEquals(127, result.code(), result.err());
            try (Stream<Path> layers = Files.list(store.resolve("containers"))) {
                assertEquals(List.of(), layers.toList(), run + " left its writable layer");
            }
        }
        assertEquals(1, servers().size(), "served");
    }

    @Test
    void theClientsSigtermReachesTheContainer() throws Exception {
        sharedServer();
        Process client = start(
                Map.of(),
                "run",
                "--",
                "sh",
                "-c",
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
        sharedServer();
        Result started = run(Map.of(), null, "run", "-d", "--name", "bg", "--", "sh", "-c", "sleep 1; exit 5");
        assertEquals(0, started.code(), started.err());
        String id = started.out().strip();
        assertEquals(64, id.length(), started.out());

        assertTrue(
                ProcessHandle.allProcesses()
                        .noneMatch(p -> p.info().commandLine().orElse("").contains("__monitor " + id)),
                "no monitor JVM for the container");
        Result waited = run(Map.of(), null, "wait", "bg");
        assertEquals("5", waited.out().strip(), waited.err());
        Result listed = run(Map.of(), null, "list");
        assertTrue(listed.out().contains("bg") && listed.out().contains("Exited (5) "), listed.out() + listed.err());
    }

    @Test
    void aKilledClientLeavesItsContainerToTheServerWhichRecordsTheEnd() throws Exception {
        sharedServer();
        Process client = start(Map.of(), "run", "--name", "orphan", "--", "sh", "-c", "echo ready; exec sleep 1000");
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), () -> read(client.getErrorStream()));

        client.destroyForcibly().waitFor();

        Result listed = run(Map.of(), null, "ps");
        assertTrue(listed.out().contains("orphan") && listed.out().contains(" Up "), listed.out());
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
                modes.append(p)
                        .append('=')
                        .append(java.nio.file.attribute.PosixFilePermissions.toString(
                                Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)))
                        .append(' ');
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
        sharedServer();
        Result result = run(Map.of(), null, "run", "-t", "--", "sh", "-c", "[ -t 1 ] && echo has-a-terminal; exit 5");

        assertEquals(5, result.code(), result.err());
        assertTrue(result.out().contains("has-a-terminal"), result.out());
        assertEquals("", result.err());
        assertEquals(1, servers().size(), "the server ran it");
    }

    /**
     * The verbs an engine calls after create go to the server, as podman's and containerd's
     * calls do through bin/isola. create runs in the caller's JVM (its container is the caller's
     * child) and starts a server for what follows without waiting for it; state, start and
     * delete are served: their clients here could not run them in-process.
     */
    @Test
    void createStartsAServerForTheEnginesStartStateAndDelete() throws Exception {
        Path bundle = bundle("echo started > /out/ran; exec sleep 1000", null);

        create(bundle, "oci1");
        awaitListening();
        Map<String, String> servedOnly = Map.of("ISOLA_CLIENT_CLASSPATH", "/nonexistent.jar");
        Result state = run(servedOnly, null, "state", "oci1");
        assertEquals(0, state.code(), state.err());
        assertEquals("created", status(state.out()), state.out());

        Result started = run(servedOnly, null, "start", "oci1");
        assertEquals(0, started.code(), started.err());
        assertEquals("started\n", awaitFile(bundle.resolve("out/ran")));
        assertEquals("running", status(run(servedOnly, null, "state", "oci1").out()), lastErr);

        Result deleted = run(servedOnly, null, "delete", "--force", "oci1");
        assertEquals(0, deleted.code(), deleted.err());
        Result gone = run(servedOnly, null, "state", "oci1");
        assertEquals(1, gone.code());
        assertEquals("isola: no such container: oci1\n", gone.err());
        assertEquals(1, servers().size(), "one server served them all");
    }

    /**
     * An engine's create with a server up is planned by the server (the client loads no Felix,
     * picocli or Jackson) and cloned by the client (the thin create, issue 17): the
     * container is the caller's descendant, so it is reparented to us, a subreaper standing in
     * for conmon or the shim, once the client exits as runc create does. start and delete follow.
     * The client runs on JDK 25, as bin/isola runs it, and clones through raw jffi: it loads no
     * jnr-ffi either, and says nothing on stderr (no native-access or Unsafe warning).
     */
    @Test
    void anEnginesCreateIsPlannedByTheServerAndClonedInTheCallersTree() throws Exception {
        sharedServer();
        assertEquals(0, run(Map.of(), null, "ps").code(), lastErr); // a server runs, started before we reap orphans
        Path bundle = bundle("echo started > /out/ran; exec sleep 1000", null);
        Path classes = tmp.resolve("thin-classes.txt");
        try (io.isola.internal.nativ.Pidfd container =
                thinCreate(bundle, "thin1", true, "-Xlog:class+load:file=" + classes)) {
            List<String> planned = Files.readAllLines(classes).stream()
                    .filter(line ->
                            line.contains("org.apache.felix") || line.contains("picocli") || line.contains("jackson"))
                    .toList();
            assertEquals(List.of(), planned, "the server planned the container, not the client");
            List<String> loaded = Files.readAllLines(classes);
            assertTrue(
                    loaded.stream().anyMatch(line -> line.contains("io.isola.launcher.client.JffiThinLibc")),
                    "the client cloned through raw jffi");
            assertEquals(
                    List.of(),
                    loaded.stream().filter(line -> line.contains(" jnr.")).toList(),
                    "the client loads no jnr-ffi");
            assertEquals("created", status(run(Map.of(), null, "state", "thin1").out()), lastErr);
            assertEquals(0, run(Map.of(), null, "start", "thin1").code(), lastErr);
            assertEquals("started\n", awaitFile(bundle.resolve("out/ran")));
            assertEquals(0, run(Map.of(), null, "delete", "--force", "thin1").code(), lastErr);
            assertEquals(io.isola.api.ExitStatus.killed(9), container.awaitExit(java.time.Duration.ofSeconds(30)));
        }
    }

    /**
     * Engines reuse ids (ctr run --rm with the same id, one after the other): once a thin-created
     * container is deleted, nothing of it is left (the network isolator's state, which the server
     * prepared but the container owns, among it) and its id can be created again at once.
     */
    @Test
    void aThinCreatedContainersIdIsFreeAgainOnceDeleted() throws Exception {
        sharedServer();
        assertEquals(0, run(Map.of(), null, "ps").code(), lastErr);
        String id = "thin-reuse-" + ProcessHandle.current().pid();
        Path network = Path.of("/run/isola/net/containers", id);
        long[] serverFds = new long[3];
        for (int round = 0; round < 3; round++) {
            // a bundle of its own each time, as engines give each container its own root
            Path bundle = bundle("exec sleep 1000", null);
            ObjectNode config = (ObjectNode)
                    new ObjectMapper().readTree(bundle.resolve("config.json").toFile());
            ((ArrayNode) config.path("linux").path("namespaces")).addObject().put("type", "network");
            new ObjectMapper().writeValue(bundle.resolve("config.json").toFile(), config);
            try (io.isola.internal.nativ.Pidfd container = thinCreate(bundle, id, false)) { // JDK 17: jnr-ffi's binding
                assertTrue(Files.isDirectory(network), "the created container's network state is " + network);
                assertEquals(0, run(Map.of(), null, "delete", "--force", id).code(), lastErr);
                assertEquals(io.isola.api.ExitStatus.killed(9), container.awaitExit(java.time.Duration.ofSeconds(30)));
            }
            assertFalse(Files.exists(network), "round " + round + ": delete left " + network);
            assertFalse(Files.exists(root.resolve(id)), "round " + round + ": delete left the container's state");
            serverFds[round] = openFds(servers().get(0).pid());
        }
        // the first round opens what the server keeps open for the next ones
        assertEquals(serverFds[1], serverFds[2], "the server keeps a descriptor per thin create");
    }

    private static long openFds(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    /**
     * The server acts on the process a thin create's client reports (the isolators' afterClone,
     * the cgroup, signals): a pid that is not the client's own child (a lie, or a pid reused) is
     * refused, and that process is left alone.
     */
    @Test
    void aThinClientReportingAnotherProcessAsItsChildIsRefused() throws Exception {
        sharedServer();
        assertEquals(0, run(Map.of(), null, "ps").code(), lastErr);
        Path bundle = bundle("exec sleep 1000", null);
        Process victim = new ProcessBuilder("sleep", "1000").start();
        try {
            String cgroups = Files.readString(Path.of("/proc", Long.toString(victim.pid()), "cgroup"));
            List<String> command = new ArrayList<>(MonitorProcess.javaCommand(
                    "io.isola.launcher.client.LyingThinClient",
                    List.of(
                            Long.toString(victim.pid()),
                            "--root",
                            root.toString(),
                            "create",
                            "--bundle",
                            bundle.toString(),
                            "liar")));
            command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
            command.add(1, "-Disola.server.dir=" + serverDir);
            Process liar = builder(Map.of(), command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(liar.getErrorStream()));
            String out = read(liar.getInputStream());
            assertTrue(liar.waitFor(120, TimeUnit.SECONDS), "the client did not exit");
            assertEquals("1", out.strip(), err.join());
            assertTrue(err.join().contains("which is not its child"), err.join());
            assertTrue(victim.isAlive(), "the server left the other process alone");
            assertEquals(cgroups, Files.readString(Path.of("/proc", Long.toString(victim.pid()), "cgroup")));
            assertEquals(1, run(Map.of(), null, "state", "liar").code(), "nothing was created");
        } finally {
            victim.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * An engine's create through {@code ThinCreate} in a JVM of its own, with this JVM as the
     * subreaper that conmon or the shim would be: the container, reparented to us once the client
     * exited, open as a pidfd (we reap it).
     */
    private io.isola.internal.nativ.Pidfd thinCreate(Path bundle, String id, boolean onJdk25, String... jvmOptions)
            throws Exception {
        Path pidFile = tmp.resolve(id + ".pid");
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(
                "io.isola.launcher.client.ThinCreate",
                List.of(
                        "--root",
                        root.toString(),
                        "create",
                        "--bundle",
                        bundle.toString(),
                        "--pid-file",
                        pidFile.getFileName().toString(),
                        id)));
        if (onJdk25) { // as bin/isola runs it, finding the server by its JDK
            command.set(0, System.getProperty("isola.jdk25.home") + "/bin/java");
            command.add(1, "--enable-native-access=ALL-UNNAMED");
            command.add(1, "--sun-misc-unsafe-memory-access=allow"); // jffi's MemoryIO
            command.add(1, "-Disola.server.java.home=" + System.getProperty("java.home"));
        }
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.addAll(1, List.of(jvmOptions));
        command.add(1, "-Disola.server.dir=" + serverDir);
        io.isola.internal.nativ.LibC libc = io.isola.internal.nativ.Native.get().libc();
        assertEquals(0, libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
        try {
            Path err = tmp.resolve(id + ".err");
            Process client = builder(Map.of(), command)
                    .directory(tmp.toFile()) // the pid file's relative path is the client's
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(err.toFile())
                    .start();
            assertTrue(client.waitFor(120, TimeUnit.SECONDS), "create did not return");
            assertEquals(0, client.exitValue(), Files.readString(err));
            assertEquals("", Files.readString(err), "the create's stderr, an engine's log");
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            assertEquals(
                    ProcessHandle.current().pid(),
                    ProcessHandle.of(pid)
                            .flatMap(ProcessHandle::parent)
                            .map(ProcessHandle::pid)
                            .orElse(-1L),
                    "the container's process was the client's child, now ours");
            return io.isola.internal.nativ.Pidfd.open(pid);
        } finally {
            libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        }
    }

    /** With no server running, an engine's verb runs in-process at once and starts none (create does). */
    @Test
    void anEnginesVerbNeverWaitsForAServerToStart() throws Exception {
        Result state = run(Map.of(), null, "state", "nosuch");

        assertEquals(1, state.code());
        assertEquals("isola: no such container: nosuch\n", state.err());
        assertTrue(servers().isEmpty(), "no server started");
    }

    private void awaitListening() throws Exception {
        for (int i = 0; i < 600 && (servers().isEmpty() || socket() == null); i++) {
            Thread.sleep(100);
        }
        assertEquals(1, servers().size(), "create started a server");
        assertNotEquals(null, socket(), "the server listens");
    }

    /**
     * A hook is a process the runtime starts: a start that runs one is not served, so the hook
     * is the client's child (with the client's stderr and cgroup), not the server's.
     */
    @Test
    void aStartThatRunsHooksRunsInTheClientsJvm() throws Exception {
        sharedServer();
        Path bundle = bundle("exec sleep 1000", "echo $PPID > " + tmp.resolve("hook-parent"));
        assertEquals(0, run(Map.of(), null, "ps").code(), lastErr); // a server runs
        create(bundle, "oci2");

        Process client = start(Map.of(), "start", "oci2");
        String err = read(client.getErrorStream());
        assertTrue(client.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, client.exitValue(), err);

        assertEquals(
                Long.toString(client.pid()),
                Files.readString(tmp.resolve("hook-parent")).strip(),
                "the poststart hook's parent is the client, not the server " + servers());
        assertEquals(0, run(Map.of(), null, "delete", "--force", "oci2").code(), lastErr);
    }

    /**
     * A root server leaves the cgroup of the command that started it (an engine's, a login
     * session's) for isola-server at the top of every hierarchy, and removes that directory when
     * it exits as the last server in it.
     */
    @Test
    void theServerLeavesTheCgroupOfTheCommandThatStartedIt() throws Exception {
        ResidentServers.stopAll(
                shared.resolve("srv")); // so that this test's server may be the last one out of isola-server
        Path hierarchy = Files.isDirectory(Path.of("/sys/fs/cgroup/pids"))
                ? Path.of("/sys/fs/cgroup/pids")
                : Path.of("/sys/fs/cgroup");
        Path caller = Files.createDirectory(
                hierarchy.resolve("isola-it-caller-" + ProcessHandle.current().pid()));
        try {
            List<String> command = new ArrayList<>(List.of(
                    "sh",
                    "-c",
                    "echo $$ > \"$0\" && exec \"$@\"",
                    caller.resolve("cgroup.procs").toString()));
            command.addAll(client(Map.of(), "ps"));
            Process client = builder(Map.of(), command).start();
            String err = read(client.getErrorStream());
            assertTrue(client.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, client.exitValue(), err);

            List<ProcessHandle> started = servers();
            assertEquals(1, started.size());
            String server = Long.toString(started.get(0).pid());
            List<String> cgroups = Files.readAllLines(Path.of("/proc", server, "cgroup"));
            assertTrue(
                    cgroups.stream()
                            .noneMatch(
                                    line -> line.contains(caller.getFileName().toString())),
                    cgroups::toString);
            assertTrue(cgroups.stream().allMatch(line -> line.endsWith(":/isola-server")), cgroups::toString);
            Path shared = hierarchy.resolve("isola-server");
            boolean alone = Files.readAllLines(shared.resolve("cgroup.procs")).equals(List.of(server));

            ResidentServers.stopAll(serverDir);
            if (alone) {
                assertFalse(Files.exists(shared), "the last server out removed " + shared);
            }
        } finally {
            ResidentServers.stopAll(serverDir);
            for (int i = 0; i < 50 && Files.exists(caller); i++) {
                try {
                    Files.delete(caller);
                } catch (IOException e) {
                    Thread.sleep(100); // EBUSY until the client's process has gone
                }
            }
        }
    }

    /** A busybox bundle whose config ({@code isola spec}'s) runs {@code script}, with /out bound; a poststart hook runs {@code hook}. */
    private Path bundle(String script, String hook) throws Exception {
        Path bundle = Files.createDirectories(tmp.resolve("bundle-" + System.nanoTime()));
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "sleep")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String dir : List.of("proc", "dev", "sys", "out", "tmp")) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(dir));
        }
        Files.createDirectories(bundle.resolve("out"));
        assertEquals(
                0,
                Main.execute(
                        new String[] {"spec", "--bundle", bundle.toString()},
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(new StringWriter())));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config =
                (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ArrayNode args = ((ObjectNode) config.get("process")).putArray("args");
        List.of("sh", "-c", script).forEach(args::add);
        ObjectNode out = ((ArrayNode) config.get("mounts")).addObject();
        out.put("destination", "/out")
                .put("type", "bind")
                .put("source", bundle.resolve("out").toString());
        out.putArray("options").add("rbind").add("rw");
        if (hook != null) {
            ObjectNode poststart =
                    config.putObject("hooks").putArray("poststart").addObject();
            poststart.put("path", "/bin/sh");
            List.of("sh", "-c", hook).forEach(poststart.putArray("args")::add);
        }
        json.writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }

    private static String status(String ociState) throws IOException {
        return new ObjectMapper().readTree(ociState).path("status").asText();
    }

    /** The file's whole line: the shell creates the file before it writes to it. */
    private static String awaitFile(Path file) throws Exception {
        for (int i = 0;
                i < 200 && !(Files.exists(file) && Files.readString(file).endsWith("\n"));
                i++) {
            Thread.sleep(50);
        }
        return Files.readString(file);
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
        command.replaceAll(
                arg -> arg.startsWith("-Disola.server.command=") ? "-Disola.server.command=/bin/false" : arg);
        Process client = new ProcessBuilder(command).start();
        String out = read(client.getInputStream());
        String err = read(client.getErrorStream());
        assertTrue(client.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, client.exitValue(), err);
        assertEquals("fallback\n", out);
        assertEquals("", err);
    }

    /**
     * A detached run that falls back in-process in a client JVM as bin/isola starts it (its class
     * path the launcher, core and jffi, the distribution's in a loader of its own) starts its
     * monitor: a JVM given this JVM's class path. That was the client's alone, so the monitor ended
     * at once (NoClassDefFoundError: picocli/CommandLine), seen in smoke-vm's SELinux guest, where
     * the first command's server took longer than the client waits under TCG.
     */
    @Test
    void aDetachedRunThatFallsBackInProcessStartsItsMonitor() throws Exception {
        String full = System.getProperty("java.class.path");
        List<String> clientJars = Stream.of(full.split(java.io.File.pathSeparator))
                .filter(entry -> entry.contains("/launcher/target/")
                        || entry.contains("/core/target/")
                        || entry.contains("jffi"))
                .toList();
        assumeTrue(clientJars.size() < full.split(java.io.File.pathSeparator).length, full);
        List<String> command = new ArrayList<>(client(Map.of(), "run", "-d", "--", "sleep", "60"));
        command.replaceAll(
                arg -> arg.startsWith("-Disola.server.command=") ? "-Disola.server.command=/bin/false" : arg);
        command.set(command.indexOf(full), String.join(java.io.File.pathSeparator, clientJars));
        command.add(1, "-Disola.client.classpath=" + full);
        Process client = new ProcessBuilder(command).start();
        String out = read(client.getInputStream());
        String err = read(client.getErrorStream());
        assertTrue(client.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, client.exitValue(), err);
        String id = out.strip();
        assertTrue(id.matches("[0-9a-f]{64}"), out + err);
        StringWriter ps = new StringWriter();
        Main.execute(
                new String[] {"--root", root.toString(), "ps", "-q", "--no-trunc"},
                new PrintWriter(ps),
                new PrintWriter(new StringWriter()));
        assertEquals(id + "\n", ps.toString(), "the container runs, watched by its monitor");
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
        Process nobody = new ProcessBuilder(
                        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", python)
                .start();
        String answer = read(nobody.getInputStream()).strip();
        String err = read(nobody.getErrorStream());
        assertTrue(nobody.waitFor(30, TimeUnit.SECONDS));
        assertEquals("R", answer, () -> err + " " + socket + " " + modes(socket));
        Files.setPosixFilePermissions(serverDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertEquals(0, run(Map.of(), null, "ps").code(), "the server still serves its own uid: " + lastErr);
    }
}
