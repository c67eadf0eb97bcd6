package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.launcher.image.ImageArchives;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** rename, top, port, diff, container prune, version and info, as a Docker user types them, on real containers. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DockerVerbsIT {

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
    void renameGivesARunningContainerANewNameAndRefusesATakenOne() throws Exception {
        String id = cli.ok("run", "-d", "--name", "old", "--", "sleep", "1000").strip();
        cli.ok("run", "-d", "--name", "other", "--", "sleep", "1000");
        assertEquals("", cli.ok("rename", "old", "new"));
        assertEquals(
                "new",
                new ObjectMapper()
                        .readTree(cli.ok("inspect", "new"))
                        .get(0)
                        .get("Name")
                        .asText());
        assertEquals(
                id,
                new ObjectMapper()
                        .readTree(cli.ok("inspect", "new"))
                        .get(0)
                        .get("Id")
                        .asText());
        cli.fails("no such container: old", "inspect", "old");
        cli.fails("container name \"other\" is already in use", "rename", "new", "other");
        cli.fails("container name \"a/b\": expected", "rename", "new", "a/b");
        assertTrue(cli.ok("ps").contains(" new\n"), cli.lastOut());
    }

    @Test
    void topShowsTheContainersProcessesOnlyWithPsOptions() throws Exception {
        cli.ok("run", "-d", "--name", "busy", "--", "sh", "-c", "sleep 1000 & sleep 1001");
        List<String> lines = cli.ok("top", "busy").lines().toList();
        // the background sleep may not have replaced its forked shell yet
        for (int i = 0; i < 100 && lines.stream().noneMatch(l -> l.endsWith("sleep 1000")); i++) {
            Thread.sleep(100);
            lines = cli.ok("top", "busy").lines().toList();
        }
        assertTrue(lines.get(0).contains("PID") && lines.get(0).contains("CMD"), lines.toString());
        assertEquals(4, lines.size(), "the header, sh and its two sleeps: " + lines);
        assertTrue(
                lines.stream().anyMatch(l -> l.endsWith("sleep 1000"))
                        && lines.stream().anyMatch(l -> l.endsWith("sleep 1001")),
                lines.toString());
        List<String> custom = cli.ok("top", "busy", "-o", "pid,comm").lines().toList();
        assertEquals(List.of("PID", "COMMAND"), List.of(custom.get(0).trim().split("\\s+")));
        assertEquals(4, custom.size(), custom.toString());
        cli.fails("no PID column", "top", "busy", "-o", "comm");
        cli.ok("stop", "-t", "0", "busy");
        cli.fails("not running", "top", "busy");
    }

    @Test
    void portListsThePublishedPorts() {
        int host = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        cli.ok("run", "-d", "--name", "web", "-p", host + ":80", "-p", (host + 1) + ":53/udp", "--", "sleep", "1000");
        assertEquals("80/tcp -> 0.0.0.0:" + host + "\n53/udp -> 0.0.0.0:" + (host + 1) + "\n", cli.ok("port", "web"));
        assertEquals("0.0.0.0:" + host + "\n", cli.ok("port", "web", "80"));
        assertEquals("0.0.0.0:" + (host + 1) + "\n", cli.ok("port", "web", "53/udp"));
        cli.fails("no public port '81/tcp' published", "port", "web", "81");
        cli.fails("port \"eighty\": expected", "port", "web", "eighty");
    }

    @Test
    void diffListsWhatAContainerAddedChangedAndDeleted() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        cli.ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("img.tar"), "test/diff:1", false)
                        .toString());
        cli.ok(
                "run",
                "--name",
                "changer",
                "--network",
                "none",
                "test/diff:1",
                "sh",
                "-c",
                "echo x > /etc/new; rm /etc/lower; echo more >> /etc/upper; mkdir /made; echo y > /made/f");
        assertEquals("C /etc\nD /etc/lower\nA /etc/new\nC /etc/upper\nA /made\nA /made/f\n", cli.ok("diff", "changer"));
        cli.ok("run", "-d", "--name", "plain", "--", "sleep", "1000");
        cli.fails("has no image layers to compare", "diff", "plain");
    }

    /** A name the image deletes (a whiteout) or hides (an opaque directory) is one the container adds. */
    @Test
    void diffTellsWhatTheImageDeletedFromWhatItShows() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        cli.ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("img.tar"), "test/diff:2", false)
                        .toString());
        cli.ok(
                "run",
                "--name",
                "again",
                "--network",
                "none",
                "test/diff:2",
                "sh",
                "-c",
                "echo x > /etc/gone; echo y > /dir/old");
        assertEquals("C /dir\nA /dir/old\nC /etc\nA /etc/gone\n", cli.ok("diff", "again"));
    }

    /** The writable layer is the container's: diff lists its links and never walks the host through them. */
    @Test
    void diffListsALinkToTheHostAsALink() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        cli.ok(
                "image",
                "import",
                ImageArchives.dockerSave(tmp.resolve("img.tar"), "test/diff:3", false)
                        .toString());
        cli.ok(
                "run",
                "--name",
                "linker",
                "--network",
                "none",
                "test/diff:3",
                "sh",
                "-c",
                "ln -s / /escape; ln -s /etc /dir/up");
        assertEquals(
                "C /dir\nA /dir/up\nA /escape\nC /etc\n", cli.ok("diff", "linker")); // /etc: the network's mount points
    }

    @Test
    void containerPruneRemovesTheStoppedOnes() throws Exception {
        String first = cli.ok("run", "-d", "--", "true").strip();
        String second = cli.ok("run", "-d", "--", "sh", "-c", "exit 3").strip();
        String running = cli.ok("run", "-d", "--", "sleep", "1000").strip();
        cli.ok("wait", first);
        cli.ok("wait", second);
        String out = cli.ok("container", "prune", "-f");
        assertTrue(out.startsWith("Deleted Containers:\n"), out);
        assertTrue(out.contains(first + "\n") && out.contains(second + "\n") && !out.contains(running), out);
        assertTrue(out.endsWith("\nTotal reclaimed space: 0B\n"), out);
        assertEquals(running + "\n", cli.ok("ps", "-a", "-q", "--no-trunc"));
        assertEquals("Total reclaimed space: 0B\n", cli.ok("container", "prune", "-f"));
    }

    @Test
    void systemPruneRemovesTheStoppedContainersAndRefusesWhatIsolaHasNot() throws Exception {
        String stopped = cli.ok("run", "-d", "--", "true").strip();
        String running = cli.ok("run", "-d", "--", "sleep", "1000").strip();
        cli.ok("wait", stopped);
        assertEquals(
                "Deleted Containers:\n" + stopped + "\n\nTotal reclaimed space: 0B\n", cli.ok("system", "prune", "-f"));
        assertEquals(running + "\n", cli.ok("ps", "-a", "-q", "--no-trunc"));
        cli.fails("system prune --all is not supported by isola", "system", "prune", "-af");
        cli.fails(
                "system prune --volumes is not supported by isola: remove unused volumes with",
                "system",
                "prune",
                "-f",
                "--volumes");
    }

    @Test
    void versionAndInfoNameTheRuntimeKernelAndCgroupLayout() throws Exception {
        String version = cli.ok("version");
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        assertTrue(version.contains(" OCI spec:        1.2.0\n"), version);
        assertTrue(version.contains(" Kernel:          " + kernel + "\n"), version);
        assertTrue(version.matches("(?s).* Cgroup layout:   (v1|v2|hybrid)\n.*"), version);
        assertEquals(kernel + "\n", cli.ok("version", "--format", "{{.Server.KernelVersion}}"));
        assertEquals("1.2.0\n", cli.ok("version", "-f", "{{.Server.OciVersion | lower}}"));
        cli.fails("can't evaluate field Nope", "version", "--format", "{{.Nope}}");

        cli.ok("run", "-d", "--", "sleep", "1000");
        cli.ok("wait", cli.ok("run", "-d", "--", "true").strip());
        assertEquals("2 1\n", cli.ok("info", "--format", "{{.Containers}} {{.ContainersRunning}}"));
        String info = cli.ok("info");
        assertTrue(info.contains("  Running: 1\n") && info.contains(" Kernel Version: " + kernel + "\n"), info);
        assertEquals(
                kernel,
                new ObjectMapper()
                        .readTree(cli.ok("info", "--format", "json"))
                        .get("KernelVersion")
                        .asText());
    }

    /**
     * bin/isola's own failures (no java, a bad ISOLA_CLIENT) exit as Docker's CLI fails: 125 for
     * run and Docker's create (docker/cli's run and create wrap every failure in a StatusError of
     * 125), 1 for any other verb (cmd/docker/docker.go exits 1 for a plain error), the OCI create
     * (runc's 1) too. The script of the sources: these fail before it looks for a JVM or jars.
     */
    @Test
    void binIsolasOwnFailuresExit125ForRunAndCreateAnd1Elsewhere() throws Exception {
        Path script = Path.of("../dist/src/main/dist/bin/isola").toAbsolutePath();
        Map<List<String>, Integer> expected = new LinkedHashMap<>();
        expected.put(List.of("run", "busybox"), 125);
        expected.put(List.of("--config", tmp.toString(), "run", "busybox"), 125);
        expected.put(List.of("create", "busybox"), 125);
        expected.put(List.of("create", "--bundle", tmp.toString(), "id"), 1);
        expected.put(List.of("ps"), 1);
        expected.put(List.of("network", "ls"), 1);
        expected.put(List.of("rm", "x"), 1);
        for (var line : expected.entrySet()) {
            for (String env : List.of("JAVA_HOME=" + tmp.resolve("nojava"), "ISOLA_CLIENT=bogus")) {
                List<String> command = new ArrayList<>(List.of("env", env, "bash", script.toString()));
                command.addAll(line.getKey());
                Process isola = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                String err = new String(isola.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(isola.waitFor(30, TimeUnit.SECONDS), command::toString);
                if (env.startsWith("ISOLA_CLIENT") && !err.contains("ISOLA_CLIENT")) {
                    continue; // a verb the shell client never handles: the JVM's turn, which has none here
                }
                assertEquals(line.getValue(), isola.exitValue(), command + ": " + err);
                assertTrue(err.startsWith("isola: ") && err.lines().count() == 1, command + ": " + err);
            }
        }
    }
}
