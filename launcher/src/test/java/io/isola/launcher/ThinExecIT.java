package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.api.ExitStatus;
import io.isola.internal.nativ.Pidfd;
import io.isola.lifecycle.MonitorProcess;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine's OCI exec ({@code exec --process F --detach --pid-file P ID}, as conmon and
 * containerd's shim call it) through the thin client (issue 17): the resident server plans the
 * process, the client (in a JVM of its own, as bin/isola runs it on JDK 25) only clones it, so the
 * process is the caller's child, as runc's is. This JVM stands in for conmon: a subreaper.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ThinExecIT {

    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final List<String> NAMESPACES = List.of("cgroup", "ipc", "mnt", "net", "pid", "user", "uts");

    @TempDir
    Path tmp;

    private Path root;
    private Path serverDir;
    /** An fd the client inherits open from its caller, or -1. */
    private int heldFd = -1;

    @AfterEach
    void stopEverything() throws IOException {
        if (root != null) {
            Main.execute(
                    new String[] {"--root", root.toString(), "delete", "--force", "c1"},
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()));
        }
        if (serverDir != null) {
            ResidentServers.stopAll(serverDir);
        }
    }

    /**
     * Three execs into one running container: each process sees the container's namespaces and
     * the process file's user, capabilities, no_new_privs, working directory and environment; the
     * client loads no Felix, picocli or Jackson (the server planned it) and cloned through the
     * raw jffi (no jnr-ffi); the server keeps no fd per exec.
     */
    @Test
    void anEnginesExecIsPlannedByTheServerAndClonedInTheCallersTree() throws Exception {
        RootOnly.require();
        root = Files.createDirectory(tmp.resolve("state"));
        serverDir = tmp.resolve("srv");
        Path bundle = bundle();
        // no server runs (it had exited when idle): the create starts one and goes through it
        Path createClasses = tmp.resolve("classes-create.txt");
        assertEquals(0, thin(List.of("create", "--bundle", bundle.toString(), "c1"), null, createClasses), "create");
        assertServerPlanned(createClasses, "the create that started the server");
        assertEquals(0, inProcess("start", "c1"), "start");
        long container = Long.parseLong(inProcessOut("state", "c1").replaceAll("(?s).*\"pid\"\\s*:\\s*(\\d+).*", "$1"));
        List<String> expected = new ArrayList<>();
        for (String namespace : NAMESPACES) {
            expected.add(Files.readSymbolicLink(Path.of("/proc/" + container + "/ns/" + namespace))
                    .toString());
        }
        expected.addAll(List.of("1000", "CapBnd:\t0000000000000020", "NoNewPrivs:\t1", "/tmp", "MARK=thin-exec"));
        Path process = processFile();
        long[] serverFds = new long[3];
        for (int round = 0; round < 3; round++) {
            Path out = tmp.resolve("exec-" + round + ".out");
            Path classes = round == 0 ? tmp.resolve("classes.txt") : null;
            Path pidFile = tmp.resolve("exec-" + round + ".pid");
            List<String> args = List.of(
                    "exec", "--process", process.toString(), "--detach", "--pid-file", pidFile.toString(), "c1");
            assertEquals(0, thinExec(args, out, classes, pidFile), "exec round " + round);
            assertEquals(expected, Files.readAllLines(out), "what the exec'd process saw, round " + round);
            if (classes != null) {
                assertServerPlanned(classes, "round " + round);
            }
            serverFds[round] = openFds(ResidentServers.running(serverDir).get(0).pid());
        }
        assertEquals(serverFds[1], serverFds[2], "the server keeps a descriptor per thin exec");

        // an engine that leaves fds open across its exec of the runtime (600 was the plan's first
        // number once, and the exec ran in-process): the plan's fds go above them, still served
        Path out = tmp.resolve("exec-held.out"), pidFile = tmp.resolve("exec-held.pid");
        Path classes = tmp.resolve("classes-held.txt");
        heldFd = 600;
        assertEquals(
                0,
                thinExec(
                        List.of(
                                "exec",
                                "--process",
                                process.toString(),
                                "--detach",
                                "--pid-file",
                                pidFile.toString(),
                                "c1"),
                        out,
                        classes,
                        pidFile),
                "an exec whose caller holds fd " + heldFd);
        assertServerPlanned(classes, "the caller holding fd " + heldFd);
        assertEquals(expected, Files.readAllLines(out), "what the exec'd process saw, the caller holding fd " + heldFd);
    }

    /** The client (its classes loaded in {@code classes}) had the server plan and cloned through raw jffi. */
    private static void assertServerPlanned(Path classes, String which) throws IOException {
        List<String> loaded = Files.readAllLines(classes);
        assertEquals(
                List.of(),
                loaded.stream()
                        .filter(line -> line.contains("org.apache.felix")
                                || line.contains("picocli")
                                || line.contains("jackson"))
                        .toList(),
                "the server planned it, not the client: " + which);
        assertTrue(
                loaded.stream().anyMatch(line -> line.contains("io.isola.launcher.client.JffiThinLibc")),
                "the client cloned through raw jffi: " + which);
        assertEquals(
                List.of(),
                loaded.stream().filter(line -> line.contains(" jnr.")).toList(),
                "the client loads no jnr-ffi: " + which);
    }

    /**
     * Runs an exec through the thin client while this JVM is a subreaper: the exec'd process was
     * the client's child (waitid on its pidfd reaps it here, which only a parent can), and exits 0.
     */
    private int thinExec(List<String> args, Path out, Path classes, Path pidFile) throws Exception {
        var libc = io.isola.internal.nativ.Native.get().libc();
        assertEquals(0, libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
        try {
            int code = thin(args, out, classes);
            if (code != 0) {
                return code;
            }
            try (Pidfd exec =
                    Pidfd.open(Long.parseLong(Files.readString(pidFile).strip()))) {
                assertEquals(
                        ExitStatus.exited(0),
                        exec.awaitExit(Duration.ofSeconds(60)),
                        "the exec'd process, the client's child and then ours");
            }
            return 0;
        } finally {
            libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        }
    }

    /** ThinCreate's main in a JVM of its own on JDK 25, as bin/isola runs it; its status (stderr must be empty). */
    private int thin(List<String> args, Path out, Path classes) throws Exception {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(args);
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand("io.isola.launcher.client.ThinCreate", all));
        command.set(0, System.getProperty("isola.jdk25.home") + "/bin/java");
        command.add(1, "--enable-native-access=ALL-UNNAMED");
        command.add(1, "--sun-misc-unsafe-memory-access=allow"); // jffi's MemoryIO, as bin/isola gives it
        command.add(1, "-Disola.server.java.home=" + System.getProperty("java.home"));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        command.add(1, "-Disola.server.dir=" + serverDir);
        command.add(1, "-Disola.server.command=" + String.join(" ", serverCommand()));
        if (classes != null) {
            command.add(1, "-Xlog:class+load:file=" + classes);
        }
        if (heldFd >= 0) { // the engine's fd, open (not close-on-exec) when it runs the runtime
            command.addAll(0, List.of("/bin/bash", "-c", "exec " + heldFd + "</dev/null; exec \"$@\"", "bash"));
        }
        Path err = tmp.resolve("client.err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(
                        out == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(out.toFile()))
                .redirectError(err.toFile());
        builder.environment().put("ISOLA_SERVER_IDLE", "600");
        builder.environment().remove("ISOLA_SERVER");
        Process client = builder.start();
        assertTrue(client.waitFor(180, TimeUnit.SECONDS), "the client did not return");
        if (classes != null) {
            assertEquals("", Files.readString(err), "the client's stderr, an engine's log");
        }
        assertEquals(0, client.exitValue(), Files.readString(err));
        awaitListening();
        return client.exitValue();
    }

    private static List<String> serverCommand() {
        List<String> command = new ArrayList<>(MonitorProcess.javaCommand(Main.class.getName(), List.of()));
        command.add(1, "-Disola.bundles=" + System.getProperty("isola.bundles"));
        return command;
    }

    /** The first create starts the server; the execs must find it listening. */
    private void awaitListening() throws Exception {
        for (int i = 0; i < 600 && ResidentServers.running(serverDir).isEmpty(); i++) {
            Thread.sleep(100);
        }
        for (int i = 0; i < 600 && !hasSocket(); i++) {
            Thread.sleep(100);
        }
    }

    private boolean hasSocket() throws IOException {
        try (Stream<Path> files = Files.list(serverDir)) {
            return files.anyMatch(p -> p.toString().endsWith(".sock"));
        }
    }

    private int inProcess(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(command(args), new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        return code;
    }

    private String inProcessOut(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.execute(command(args), new PrintWriter(out), new PrintWriter(err)), err.toString());
        return out.toString();
    }

    private String[] command(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static long openFds(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    /** What the exec'd process reports: its namespaces, uid, capabilities, no_new_privs, cwd and a variable. */
    private Path processFile() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode process = json.createObjectNode();
        process.put("terminal", false);
        process.putObject("user").put("uid", 1000).put("gid", 1000);
        String script = "for n in " + String.join(" ", NAMESPACES) + "; do readlink /proc/self/ns/$n; done;"
                + " id -u; grep -E '^(CapBnd|NoNewPrivs):' /proc/self/status; pwd; echo MARK=$MARK";
        ArrayNode args = process.putArray("args");
        List.of("sh", "-c", script).forEach(args::add);
        process.putArray("env").add("PATH=/bin").add("MARK=thin-exec");
        process.put("cwd", "/tmp");
        ObjectNode caps = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            caps.putArray(set).add("CAP_KILL");
        }
        process.put("noNewPrivileges", true);
        Path file = tmp.resolve("process.json");
        json.writeValue(file.toFile(), process);
        return file;
    }

    /** A busybox bundle ({@code isola spec}'s config) whose container sleeps. */
    private Path bundle() throws Exception {
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "sleep", "readlink", "id", "grep")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String dir : List.of("proc", "dev", "sys", "tmp")) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(dir));
        }
        assertEquals(0, inProcess("spec", "--bundle", bundle.toString()));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config =
                (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ArrayNode args = ((ObjectNode) config.get("process")).putArray("args");
        List.of("sleep", "1000").forEach(args::add);
        json.writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }
}
