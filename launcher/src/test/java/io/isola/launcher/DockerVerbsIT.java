package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.launcher.image.ImageArchives;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    private String lastOut = "";
    private String lastErr = "";

    @BeforeEach
    void requireRoot() {
        RootOnly.require();
        System.setProperty("isola.root", tmp.resolve("images").toString());
    }

    @AfterEach
    void removeEverything() {
        isola("ps", "-a", "-q");
        for (String id : lastOut.lines().toList()) {
            isola("rm", "-f", id);
        }
        System.clearProperty("isola.root");
    }

    private int isola(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        int code = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        lastOut = out.toString();
        lastErr = err.toString();
        return code;
    }

    private String ok(String... args) {
        assertEquals(0, isola(args), () -> String.join(" ", args) + ": " + lastErr);
        return lastOut;
    }

    private void fails(String expected, String... args) {
        assertEquals(125, isola(args), () -> String.join(" ", args) + " succeeded: " + lastOut);
        assertTrue(lastErr.contains(expected), lastErr);
        assertEquals(1, lastErr.lines().filter(l -> !l.startsWith("see ")).count(), lastErr);
    }

    @Test
    void renameGivesARunningContainerANewNameAndRefusesATakenOne() throws Exception {
        String id = ok("run", "-d", "--name", "old", "--", "sleep", "1000").strip();
        ok("run", "-d", "--name", "other", "--", "sleep", "1000");
        assertEquals("", ok("rename", "old", "new"));
        assertEquals("new", new ObjectMapper().readTree(ok("inspect", "new")).get(0).get("Name").asText());
        assertEquals(id, new ObjectMapper().readTree(ok("inspect", "new")).get(0).get("Id").asText());
        fails("container \"old\"", "inspect", "old");
        fails("container name \"other\" is already in use", "rename", "new", "other");
        fails("container name \"a/b\": expected", "rename", "new", "a/b");
        assertTrue(ok("ps").contains(" new "), lastOut);
    }

    @Test
    void topShowsTheContainersProcessesOnlyWithPsOptions() {
        ok("run", "-d", "--name", "busy", "--", "sh", "-c", "sleep 1000 & sleep 1001");
        List<String> lines = ok("top", "busy").lines().toList();
        assertTrue(lines.get(0).contains("PID") && lines.get(0).contains("CMD"), lines.toString());
        assertEquals(4, lines.size(), "the header, sh and its two sleeps: " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("sleep 1000")) && lines.stream().anyMatch(l -> l.endsWith("sleep 1001")),
                lines.toString());
        List<String> custom = ok("top", "busy", "-o", "pid,comm").lines().toList();
        assertEquals(List.of("PID", "COMMAND"), List.of(custom.get(0).trim().split("\\s+")));
        assertEquals(4, custom.size(), custom.toString());
        fails("no PID column", "top", "busy", "-o", "comm");
        ok("stop", "-t", "0", "busy");
        fails("not running", "top", "busy");
    }

    @Test
    void portListsThePublishedPorts() {
        int host = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        ok("run", "-d", "--name", "web", "-p", host + ":80", "-p", (host + 1) + ":53/udp", "--", "sleep", "1000");
        assertEquals("80/tcp -> 0.0.0.0:" + host + "\n53/udp -> 0.0.0.0:" + (host + 1) + "\n", ok("port", "web"));
        assertEquals("0.0.0.0:" + host + "\n", ok("port", "web", "80"));
        assertEquals("0.0.0.0:" + (host + 1) + "\n", ok("port", "web", "53/udp"));
        fails("no public port '81/tcp' published", "port", "web", "81");
        fails("port \"eighty\": expected", "port", "web", "eighty");
    }

    @Test
    void diffListsWhatAContainerAddedChangedAndDeleted() throws Exception {
        assumeTrue(Files.isRegularFile(ImageArchives.BUSYBOX), "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        ok("image", "import", ImageArchives.dockerSave(tmp.resolve("img.tar"), "test/diff:1", false).toString());
        ok("run", "--name", "changer", "--network", "none", "test/diff:1", "sh", "-c",
                "echo x > /etc/new; rm /etc/lower; echo more >> /etc/upper; mkdir /made; echo y > /made/f");
        assertEquals("C /etc\nD /etc/lower\nA /etc/new\nC /etc/upper\nA /made\nA /made/f\n", ok("diff", "changer"));
        ok("run", "-d", "--name", "plain", "--", "sleep", "1000");
        fails("has no image layers to compare", "diff", "plain");
    }

    @Test
    void containerPruneRemovesTheStoppedOnes() throws Exception {
        String first = ok("run", "-d", "--", "true").strip();
        String second = ok("run", "-d", "--", "sh", "-c", "exit 3").strip();
        String running = ok("run", "-d", "--", "sleep", "1000").strip();
        ok("wait", first);
        ok("wait", second);
        String out = ok("container", "prune", "-f");
        assertTrue(out.startsWith("Deleted Containers:\n"), out);
        assertTrue(out.contains(first + "\n") && out.contains(second + "\n") && !out.contains(running), out);
        assertTrue(out.endsWith("\nTotal reclaimed space: 0B\n"), out);
        assertEquals(running + "\n", ok("ps", "-a", "-q", "--no-trunc"));
        assertEquals("Total reclaimed space: 0B\n", ok("container", "prune", "-f"));
    }

    @Test
    void versionAndInfoNameTheRuntimeKernelAndCgroupLayout() throws Exception {
        String version = ok("version");
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        assertTrue(version.contains(" OCI spec:        1.2.0\n"), version);
        assertTrue(version.contains(" Kernel:          " + kernel + "\n"), version);
        assertTrue(version.matches("(?s).* Cgroup layout:   (v1|v2|hybrid)\n.*"), version);
        assertEquals(kernel + "\n", ok("version", "--format", "{{.Server.KernelVersion}}"));
        assertEquals("1.2.0\n", ok("version", "-f", "{{.Server.OciVersion | lower}}"));
        fails("can't evaluate field Nope", "version", "--format", "{{.Nope}}");

        ok("run", "-d", "--", "sleep", "1000");
        ok("wait", ok("run", "-d", "--", "true").strip());
        assertEquals("2 1\n", ok("info", "--format", "{{.Containers}} {{.ContainersRunning}}"));
        String info = ok("info");
        assertTrue(info.contains("  Running: 1\n") && info.contains(" Kernel Version: " + kernel + "\n"), info);
        assertEquals(kernel, new ObjectMapper().readTree(ok("info", "--format", "json")).get("KernelVersion").asText());
    }
}
