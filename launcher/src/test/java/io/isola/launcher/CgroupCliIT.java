package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup verbs end to end through {@link Main#execute}, as root, on the real kernel: pause,
 * resume and stats of detached containers reached by id from new commands, OOMKilled in inspect,
 * --device, and the cgroup configuration file.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CgroupCliIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Its own parent, so leftovers are this test's only. */
    private static final String PARENT = "isola-cli-test";

    @TempDir
    Path root;

    @TempDir
    Path conf;

    private String lastOut = "";
    private String lastErr = "";

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require();
        Files.writeString(conf.resolve("isola.properties"), "plugins =\n");
        Files.writeString(conf.resolve("io.isola.ns.cgroup.cfg"), "enabled = true\nparent = " + PARENT + "\n");
    }

    @AfterEach
    void removeEverything() throws Exception {
        isola("ps", "-a", "-q");
        for (String id : lastOut.lines().toList()) {
            isola("rm", "-f", id);
        }
        List<Path> left = leftovers();
        forceClean();
        assertEquals(List.of(), left, "cgroups left under " + PARENT);
    }

    /** Thaws, kills and removes whatever is under the test's parent (after a failure), then the parent, so later tests start clean. */
    private static void forceClean() throws Exception {
        for (int round = 0; round < 50 && !parents().isEmpty(); round++) {
            for (Path parent : parents()) {
                try (Stream<Path> children = Files.list(parent)) {
                    for (Path child : children.filter(Files::isDirectory).toList()) {
                        if (Files.exists(child.resolve("freezer.state"))) {
                            Files.writeString(child.resolve("freezer.state"), "THAWED");
                        }
                        for (String pid : Files.readAllLines(child.resolve("cgroup.procs"))) {
                            ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                        }
                        try {
                            Files.delete(child);
                        } catch (IOException busy) {
                            // still emptying: the next round
                        }
                    }
                }
                try {
                    Files.delete(parent);
                } catch (IOException busy) {
                    // not empty yet
                }
            }
            Thread.sleep(100);
        }
    }

    /** The containers' cgroups under the test's parent (which isola keeps, as Docker keeps "docker"). */
    private static List<Path> leftovers() throws Exception {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                if (Files.isDirectory(h.resolve(PARENT))) {
                    try (Stream<Path> children = Files.list(h.resolve(PARENT))) {
                        children.filter(Files::isDirectory).forEach(found::add);
                    }
                }
            }
        }
        return found;
    }

    /** The test's parent, wherever it is: removed once the test is over. */
    private static List<Path> parents() throws Exception {
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            return hierarchies
                    .map(h -> h.resolve(PARENT))
                    .filter(Files::isDirectory)
                    .toList();
        }
    }

    private int isola(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--config", conf.toString()));
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

    private String fails(String... args) {
        // every verb but run fails with 1, as runc's and Docker's do
        assertEquals(Main.failureStatus(args[0]), isola(args), () -> String.join(" ", args) + " succeeded: " + lastOut);
        return lastErr;
    }

    private JsonNode inspect(String id) throws Exception {
        return JSON.readTree(ok("inspect", id)).get(0);
    }

    private long cpuNanos(String id) throws Exception {
        return JSON.readTree(ok("stats", "--format", "json", id).strip())
                .get("CPUTimeNanos")
                .asLong();
    }

    @Test
    void pauseStopsAContainerResumeContinuesItAndStatsReadsItsCgroup() throws Exception {
        String id = ok(
                        "run",
                        "-d",
                        "--name",
                        "busy",
                        "--memory",
                        "64m",
                        "--pids-limit",
                        "50",
                        "--",
                        "sh",
                        "-c",
                        "while :; do :; done")
                .strip();

        String table = ok("stats", "busy");
        assertTrue(table.startsWith("CONTAINER ID   NAME      CPU %"), table); // Docker's columns
        String row = table.lines().skip(1).findFirst().orElseThrow();
        assertTrue(row.startsWith(id.substring(0, 12) + "   busy") && row.contains(" / 64MiB"), table);
        JsonNode stats = JSON.readTree(ok("stats", "--format", "json", "busy").strip());
        assertEquals(64L << 20, stats.get("MemoryLimit").asLong());
        assertEquals(50, stats.get("PIDsLimit").asInt());
        assertTrue(stats.get("PIDs").asInt() >= 1 && stats.get("MemoryUsage").asLong() > 0, stats::toString);
        assertTrue(stats.get("MemoryEvents").isObject() && stats.get("Pressure").isObject(), stats::toString);
        // v2's events and PSI in inspect too (a hybrid host has PSI in the container's cgroup2 directory)
        JsonNode cgroup = JSON.readTree(ok("inspect", "busy")).get(0).get("Cgroup");
        assertTrue(
                cgroup != null
                        && cgroup.get("Pressure").isObject()
                        && cgroup.get("MemoryEvents").isObject(),
                String.valueOf(cgroup));

        assertEquals("busy\n", ok("pause", "busy"));
        assertTrue(ok("list").contains(" (Paused) "), lastOut);
        assertTrue(inspect(id).get("State").get("Paused").asBoolean());
        long frozen = cpuNanos(id);
        Thread.sleep(500);
        assertEquals(frozen, cpuNanos(id), "a paused container uses no CPU");
        assertEquals("isola: container " + id + " is already paused\n", fails("pause", "busy"));
        assertEquals("isola: container " + id + " is paused: resume it first\n", fails("exec", "busy", "true"));

        assertEquals("busy\n", ok("resume", "busy"));
        assertTrue(ok("list").contains(" Up ") && !lastOut.contains("(Paused)"), lastOut);
        long thawed = cpuNanos(id);
        Thread.sleep(500);
        assertTrue(cpuNanos(id) > thawed, "a resumed container runs again");
        assertEquals("isola: container " + id + " is not paused\n", fails("resume", "busy"));
    }

    @Test
    void aPausedContainerCanBeRemovedAndItsCgroupGoesWithIt() throws Exception {
        ok("run", "-d", "--name", "frozen", "--", "sleep", "1000");
        ok("pause", "frozen");
        ok("rm", "-f", "frozen");
        assertEquals("", ok("ps", "-a", "-q"));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void statsWithoutIdsReadsEveryRunningContainer() throws Exception {
        String a = ok("run", "-d", "--", "sleep", "1000").strip();
        String b = ok("run", "-d", "--memory", "32m", "--", "sleep", "1000").strip();
        ok("run", "-d", "--no-cgroup", "--", "sleep", "1000"); // no cgroup: not in the list
        List<String> ids = ok("stats", "--format", "json")
                .lines()
                .map(line -> {
                    try {
                        return JSON.readTree(line).get("ID").asText();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .sorted()
                .toList();
        assertEquals(Stream.of(a, b).sorted().toList(), ids);
    }

    @Test
    void errorsAreOneClearLine() throws Exception {
        assertEquals("isola: no such container: nosuch\n", fails("pause", "nosuch"));
        assertEquals("isola: no such container: nosuch\n", fails("stats", "nosuch"));
        String ended = ok("run", "-d", "--", "true").strip();
        assertEquals("0\n", ok("wait", ended));
        assertEquals("isola: cannot pause container " + ended + ": it is stopped\n", fails("pause", ended));
        assertEquals("isola: cannot resume container " + ended + ": it is stopped\n", fails("resume", ended));
        String bare = ok("run", "-d", "--no-cgroup", "--", "sleep", "1000").strip();
        assertEquals(
                "isola: cannot pause container " + bare
                        + ": it has no cgroup of its own (it was run with --no-cgroup or without root)\n",
                fails("pause", bare));
        assertEquals(
                "isola: format \"{{.Name\": unclosed action: expected }}\n", fails("stats", "--format", "{{.Name"));
    }

    @Test
    void aDetachedContainerKilledForItsMemoryLimitIsOomKilledInInspectAndWait() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "needs perl (Debian's perl-base) to allocate memory");
        String id = ok("run", "-d", "--memory", "32m", "--", "perl", "-e", "$x = 'a' x (64 << 20)")
                .strip();
        assertEquals("137\n", ok("wait", id));
        JsonNode state = inspect(id).get("State");
        assertTrue(state.get("OOMKilled").asBoolean(), state::toString);
        assertEquals(137, state.get("ExitCode").asInt());

        String fine = ok("run", "-d", "--memory", "32m", "--", "perl", "-e", "$x = 'a' x (8 << 20)")
                .strip();
        assertEquals("0\n", ok("wait", fine));
        assertFalse(inspect(fine).get("State").get("OOMKilled").asBoolean());
        String killed =
                ok("run", "-d", "--memory", "32m", "--", "sleep", "1000").strip();
        ok("kill", killed, "KILL");
        assertEquals("137\n", ok("wait", killed));
        assertFalse(inspect(killed).get("State").get("OOMKilled").asBoolean(), "a SIGKILL is not an OOM kill");
    }

    @Test
    void aHostDeviceIsMadeInsideWithTheAccessGiven() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/loop0")), "needs /dev/loop0");
        assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/devices")), "needs the v1 devices cgroup");
        String script = "test -b /dev/disk0 && echo node; head -c 0 /dev/disk0 && echo read; "
                + "(: >> /dev/disk0) 2>/dev/null && echo write || echo no-write; test -e /dev/loop0 || echo only-that";
        // detached: a foreground run's output goes to this JVM's own stdout, not to the test's writer
        String id = ok("run", "-d", "--device", "/dev/loop0:/dev/disk0:r", "--", "sh", "-c", script)
                .strip();
        assertEquals("0\n", ok("wait", id));
        assertEquals("node\nread\nno-write\nonly-that\n", ok("logs", id));
        assertEquals(
                "isola: device \"/dev/nope\": cannot read it on the host (NoSuchFileException)\n",
                fails("run", "--device", "/dev/nope", "--", "true"));
    }

    @Test
    void aBadParentInTheConfigurationIsReportedWithFileKeyAndWhatIsAllowed() throws Exception {
        Path file = conf.resolve("io.isola.ns.cgroup.cfg");
        Files.writeString(file, "parent = ../escape\n");
        String err = fails("run", "--memory", "32m", "--", "true");
        assertTrue(
                err.contains(
                        file + ": parent \"../escape\": expected a relative path of names made of letters, digits"),
                err);
    }

    @Test
    void containersLandUnderTheConfiguredParent() throws Exception {
        String id = ok("run", "-d", "--", "sleep", "1000").strip();
        assertTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/memory", PARENT, id)));
        assertEquals(
                "/" + PARENT + "/" + id,
                inspect(id).get("CgroupPaths").get("memory").asText());
    }
}
