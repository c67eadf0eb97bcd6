package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import io.isola.lifecycle.MonitorProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injection suite of the CLI: SIGKILL of isola's own processes at the worst moments of
 * a start that holds every kind of resource (an image's writable layer, a bridge network with a
 * published port, a memory and a pids limit, so a cgroup), then what a user does next: {@code ps},
 * then {@code rm -f} of whatever is left. Afterwards nothing of the test's containers may remain,
 * counted by kind ({@link KillLeftovers}).
 *
 * <p>Everything is the test's own: the state root, the image store, the network (its name, bridge
 * and subnet), the cgroup parent and the server directory, so containers of other tests running
 * on the host meanwhile are never counted or touched.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class KilledRuntimeIT {

    private static final String IMAGE = "test/killed-busybox:1";
    /** Marks the containers' processes: no other process on the host has this command line. */
    private static final String MARKER = "98765" + ProcessHandle.current().pid() % 10000;

    @TempDir
    Path tmp;

    private Path root;
    private Path conf;
    private KillLeftovers leftovers;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require();
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/lib/cni/bridge")),
                "the CNI plugins are not installed (apt-get install containernetworking-plugins)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables")), "iptables is not installed");
        root = Files.createDirectory(tmp.resolve("state"));
        String network = "isokill" + ProcessHandle.current().pid() % 100000;
        leftovers = new KillLeftovers(
                network, "isola-kill-" + ProcessHandle.current().pid(), tmp, MARKER);
        conf = leftovers.writeConfig(Files.createDirectory(tmp.resolve("conf")));
        System.setProperty("isola.root", tmp.resolve("store").toString());
        assertEquals(
                0,
                isola(
                        "image",
                        "import",
                        ImageArchives.dockerSave(tmp.resolve("image.tar"), IMAGE, false)
                                .toString()),
                err::toString);
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            userCleansUp();
            ResidentServers.stopAll(tmp.resolve("srv"));
            userCleansUp();
            leftovers.removeNetwork();
        } finally {
            System.clearProperty("isola.root");
        }
    }

    /**
     * The CLI (ISOLA_SERVER=off) SIGKILLed at eleven moments of a start: as each kind of
     * resource appears, and at delays after the state appears (0 ms after is the first moment).
     */
    @Test
    void aCliKilledAtAnyMomentOfAStartLeavesNothingOnceTheUserRunsPsAndRmForce() throws Exception {
        Map<String, BooleanSupplier> moments = new LinkedHashMap<>();
        moments.put("its state is written", leftovers::stateWritten);
        moments.put("its cgroup is made", leftovers::cgroupMade);
        moments.put("its network state is written", leftovers::networkStateWritten);
        moments.put("its namespace is pinned", leftovers::namespacePinned);
        moments.put("its address is leased", leftovers::addressLeased);
        moments.put("its port is forwarded", leftovers::portForwarded);
        moments.put("its command runs", leftovers::commandRuns);
        for (int delay : new int[] {300, 900, 1800, 3000}) {
            moments.put(delay + " ms after its state is written", leftovers.after(leftovers::stateWritten, delay));
        }
        int killed = 0;
        for (Map.Entry<String, BooleanSupplier> moment : moments.entrySet()) {
            Process cli = new ProcessBuilder(cliCommand(
                            "run",
                            "--rm",
                            "--image",
                            IMAGE,
                            "--net",
                            "bridge",
                            "-p",
                            leftovers.hostPort() + ":80",
                            "-m",
                            "64m",
                            "--pids-limit",
                            "50",
                            "--",
                            "sleep",
                            MARKER))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(tmp.resolve("cli.err").toFile())
                    .start();
            long began = System.nanoTime();
            boolean reached = leftovers.await(moment.getValue(), cli);
            cli.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            killed++;
            System.out.printf(
                    "killed the CLI when %s%s, %d ms after its start: %s%n",
                    moment.getKey(),
                    reached ? "" : " (the start ended first)",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began),
                    leftovers.count());
            leftovers.reset();
        }
        assertTrue(killed >= 10, "kills: " + killed);
        Map<String, Integer> before = leftovers.count();
        userCleansUp();
        Map<String, Integer> after = leftovers.count();
        System.out.printf(
                "CLI killed %d times during starts: before the next command %s; after ps and rm -f %s%n",
                killed, before, after);
        assertEquals(KillLeftovers.NONE, after, () -> leftovers.describe());
    }

    /** A resident server SIGKILLed while it monitors detached containers that hold every kind of resource. */
    @Test
    void aServerKilledWhileItRunsContainersLeavesNothingOnceTheUserRunsPsAndRmForce() throws Exception {
        Path serverDir = tmp.resolve("srv");
        for (int i = 0; i < 3; i++) {
            // no --config: a command line that names one is not served; the server reads ISOLA_CONF
            List<String> command = clientCommand(
                    "run",
                    "-d",
                    "--rm",
                    "--image",
                    IMAGE,
                    "--net",
                    "bridge",
                    "-p",
                    (leftovers.hostPort() + i) + ":80",
                    "-m",
                    "64m",
                    "--pids-limit",
                    "50",
                    "--",
                    "sleep",
                    MARKER);
            command.add(1, "-Disola.server.dir=" + serverDir);
            command.add(1, "-Disola.server.command=" + String.join(" ", serverCommand()));
            ProcessBuilder client = new ProcessBuilder(command)
                    .redirectError(tmp.resolve("client.err").toFile());
            client.environment().remove("ISOLA_SERVER");
            client.environment().put("ISOLA_SERVER_IDLE", "60");
            // the server's own runtime reads these: the test's network and store, never the host's
            client.environment().put("ISOLA_CONF", conf.toString());
            client.environment().put("ISOLA_ROOT", tmp.resolve("store").toString());
            Process started = client.start();
            String id = new String(started.getInputStream().readAllBytes(), UTF_8).strip();
            assertTrue(started.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, started.exitValue(), () -> read(tmp.resolve("client.err")));
            assertEquals(64, id.length(), id);
        }
        List<ProcessHandle> servers = ResidentServers.running(serverDir);
        assertEquals(1, servers.size(), () -> "one server runs the containers: " + listing(serverDir));
        assertEquals(3, leftovers.count().get("processes"), "the containers run");

        servers.get(0).destroyForcibly();
        servers.get(0).onExit().get(30, TimeUnit.SECONDS);

        Map<String, Integer> before = leftovers.count();
        userCleansUp();
        Map<String, Integer> after = leftovers.count();
        System.out.printf(
                "server killed with 3 containers: before the next command %s; after ps and rm -f %s%n", before, after);
        assertEquals(KillLeftovers.NONE, after, () -> leftovers.describe());
    }

    /** What a user does after a crash: ps, then rm -f of every container it lists. */
    private void userCleansUp() {
        assertEquals(0, isola("ps", "-a", "-q"), err::toString);
        for (String id : out.toString().lines().toList()) {
            isola("rm", "-f", id);
        }
    }

    private int isola(String... args) {
        out.getBuffer().setLength(0);
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--config", conf.toString()));
        all.addAll(List.of(args));
        return Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private List<String> cliCommand(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--config", conf.toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.root=" + tmp.resolve("store"));
        return command;
    }

    /** The JVM client (which starts a server for the next command if none runs) of {@code args}, without --config. */
    private List<String> clientCommand(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand("io.isola.launcher.client.Client", all));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.root=" + tmp.resolve("store"));
        return command;
    }

    private List<String> serverCommand() {
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.root=" + tmp.resolve("store"));
        return command;
    }

    /** Every file under {@code dir}, with the content of logs, for a failure's message. */
    private static String listing(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.map(p -> p + (p.toString().endsWith(".log") ? ":\n" + read(p) : ""))
                    .toList()
                    .toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
