package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.internal.nativ.Pidfd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI verbs as engines and conformance tools call them, against runc on the same bundle where
 * runc is the reference: exit status 1 and one line on every error, runc's state and list
 * output, a features document of what isola has, and config.json read as the spec says.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OciVerbsIT {

    @TempDir
    Path root;

    @TempDir
    Path bundle;

    @TempDir
    Path out;

    private OciHarness oci;

    @BeforeEach
    void setUp() throws Exception {
        oci = OciHarness.in(root, bundle, out);
    }

    @Test
    void everyOciVerbFailsWithStatus1AndOneLineAsRuncDoes() throws Exception {
        for (List<String> verb : List.of(
                List.of("state", "nosuch"),
                List.of("start", "nosuch"),
                List.of("delete", "nosuch"),
                List.of("kill", "nosuch", "KILL"),
                List.of("pause", "nosuch"),
                List.of("resume", "nosuch"),
                List.of("ps", "nosuch"),
                List.of("state"),
                List.of("kill", "--bogus", "nosuch"))) {
            assertEquals(1, oci.isola(verb.toArray(String[]::new)), verb + ": " + oci.lastErr);
            assertTrue(oci.lastErr.startsWith("isola: "), verb + ": " + oci.lastErr);
        }
        assertEquals(1, oci.isola("create", "--bundle", root.resolve("nobundle").toString(), "c1"));
        assertEquals("", oci.ok("list", "-q"));
        // runc's --log-format json: level, msg and time, one object a line
        for (String line : Files.readAllLines(root.resolve("log.json"))) {
            JsonNode logged = OciHarness.JSON.readTree(line);
            assertEquals("error", logged.get("level").asText(), line);
            assertTrue(logged.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), line);
        }
        // Docker's run keeps its 125
        assertEquals(125, oci.isola("run", "--frobnicate", "--", "true"));
    }

    /** runc's kill: without a signal, TERM (where Docker's container gets KILL, see LifecycleCliIT). */
    @Test
    void killWithoutASignalSendsTermToABundlesContainerAsRuncDoes() throws Exception {
        oci.write(oci.config("trap 'exit 3' TERM; touch /out/ready; while :; do sleep 0.1; done"));
        oci.ok("create", "--bundle", bundle.toString(), "k1");
        try (Pidfd child = Pidfd.open(oci.pid("k1"))) {
            oci.ok("start", "k1");
            for (int i = 0; i < 300 && !Files.exists(out.resolve("ready")); i++) {
                Thread.sleep(10); // until its trap is set
            }
            assertTrue(Files.exists(out.resolve("ready")), "the container never started");
            oci.ok("kill", "k1");
            assertEquals(3, child.awaitExit(Duration.ofSeconds(30)).exitCode(), "TERM ran its trap");
        } finally {
            oci.isola("delete", "--force", "k1");
        }
    }

    /**
     * runc's state and isola's of the same bundle, each created by its runtime, are the same text
     * but for the values that differ by nature (pid, creation time, the version each writes).
     */
    @Test
    void stateIsLaidOutAsRuncLaysItOut() throws Exception {
        ObjectNode config = oci.config("exec sleep 1000");
        config.putObject("annotations").put("org.example.key", "value");
        oci.write(config);
        Path runcRoot = Files.createDirectories(root.resolve("runc"));
        String runcState;
        try {
            assertEquals(0, runc(runcRoot, "create", "--bundle", bundle.toString(), "s1"), "runc create");
            runcState = runcOutput(runcRoot, "state", "s1");
        } finally {
            runc(runcRoot, "delete", "--force", "s1");
        }
        String isolaState;
        try {
            oci.ok("create", "--bundle", bundle.toString(), "s1");
            isolaState = oci.ok("state", "s1");
        } finally {
            oci.isola("delete", "--force", "s1");
        }

        assertEquals(normalised(runcState), normalised(isolaState));
        assertTrue(
                isolaState.startsWith("{\n  \"ociVersion\": \"") && isolaState.endsWith("\"owner\": \"\"\n}"),
                isolaState);
    }

    private static String normalised(String state) {
        return state.replaceAll("\"pid\": \\d+", "\"pid\": PID")
                .replaceAll("\"created\": \"[^\"]+\"", "\"created\": TIME")
                .replaceAll("\"ociVersion\": \"[^\"]+\"", "\"ociVersion\": V");
    }

    private int runc(Path runcRoot, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("runc", "--root", runcRoot.toString()));
        command.addAll(List.of(args));
        Process runc = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(runc.waitFor(30, TimeUnit.SECONDS));
        return runc.exitValue();
    }

    private String runcOutput(Path runcRoot, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("runc", "--root", runcRoot.toString()));
        command.addAll(List.of(args));
        Process runc = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String output = new String(runc.getInputStream().readAllBytes(), UTF_8);
        assertTrue(runc.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, runc.exitValue(), String.join(" ", args));
        return output;
    }

    @Test
    void listPrintsRuncsJsonAndIdsAlone() throws Exception {
        oci.write(oci.config("exec sleep 1000"));
        try {
            oci.ok("create", "--bundle", bundle.toString(), "l1");
            long pid = oci.pid("l1");
            JsonNode listed = OciHarness.JSON.readTree(oci.ok("list", "-f", "json"));
            assertEquals(1, listed.size(), listed.toString());
            JsonNode one = listed.get(0);
            assertEquals(
                    List.of("ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"),
                    iterable(one.fieldNames()));
            assertEquals("l1", one.get("id").asText());
            assertEquals(pid, one.get("pid").asLong());
            assertEquals("created", one.get("status").asText());
            assertEquals("root", one.get("owner").asText());
            assertEquals("l1\n", oci.ok("list", "-q"));
            assertEquals(1, oci.isola("list", "-f", "yaml"));
            assertTrue(oci.lastErr.contains("\"yaml\": expected table or json"), oci.lastErr);
        } finally {
            oci.isola("delete", "--force", "l1");
        }
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    /** runtime-spec features.md: what isola really has, laid out as runc's (four spaces). */
    @Test
    void featuresSayWhatIsolaSupports() throws Exception {
        String printed = oci.ok("features");
        JsonNode features = OciHarness.JSON.readTree(printed);

        assertTrue(printed.startsWith("{\n    \"ociVersionMin\": \"1.0.0\",\n"), printed);
        JsonNode linux = features.get("linux");
        assertEquals(
                List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"),
                texts(linux.get("namespaces")));
        assertTrue(texts(linux.get("capabilities")).containsAll(List.of("CAP_SYS_ADMIN", "CAP_NET_RAW", "CAP_CHOWN")));
        assertTrue(texts(features.get("mountOptions")).containsAll(List.of("rshared", "rslave", "runbindable")));
        assertEquals(true, linux.get("cgroup").get("v1").asBoolean());
        assertEquals(true, linux.get("cgroup").get("v2").asBoolean());
        assertEquals(true, linux.get("seccomp").get("enabled").asBoolean());
        assertTrue(texts(linux.get("seccomp").get("actions"))
                .containsAll(List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS")));
        assertTrue(texts(linux.get("seccomp").get("operators")).contains("SCMP_CMP_MASKED_EQ"));
        assertEquals(true, linux.get("apparmor").get("enabled").asBoolean());
        // only where the host runs SELinux (scripts/smoke-vm-selinux.sh sees true)
        assertEquals(
                Files.exists(Path.of("/sys/fs/selinux/enforce")),
                linux.get("selinux").get("enabled").asBoolean());
        assertEquals(6, features.get("hooks").size());
        assertTrue(texts(features.get("mountOptions"))
                .containsAll(List.of("bind", "rbind", "ro", "nosuid", "nodev", "noexec")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(item -> list.add(item.asText()));
        return list;
    }

    /** Spec: "Runtimes MUST NOT generate an error if they encounter an unknown property". */
    @Test
    void unknownPropertiesAreIgnoredAndTheContainerRuns() throws Exception {
        ObjectNode config = oci.config("echo ran > /out/ran");
        config.putObject("org.example.extension").put("setting", 1);
        ((ObjectNode) config.get("process")).put("org.example.flag", true);
        ((ObjectNode) config.get("linux"))
                .putObject("org.example")
                .putArray("list")
                .add("x");
        ((ObjectNode) config.get("linux").get("resources")).put("org.example.weight", 3);
        config.putObject("hooks").putArray("org.example.hook").addObject().put("path", "/bin/false");
        oci.write(config);

        assertEquals(0, oci.run("u1"));

        assertEquals("ran\n", oci.read("ran"));
    }

    @Test
    void aConfigWithoutAProcessOrACommandIsRefusedAtCreate() throws Exception {
        ObjectNode config = oci.config("true");
        ObjectNode noArgs = config.deepCopy();
        ((ObjectNode) noArgs.get("process")).putArray("args");
        config.remove("process");

        oci.write(config);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "p1"));
        assertEquals(
                "isola: config.json: process: absent; expected the container's process, with its args\n", oci.lastErr);
        oci.write(noArgs);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "p1"));
        assertEquals("isola: config.json: process.args: empty; expected at least the command to run\n", oci.lastErr);
        assertEquals("", oci.ok("list", "-q"), "a refused create left state behind");
    }

    /**
     * As runc (and so podman's 127): a command that is not in the container's root fails the
     * create, in runc's words, and leaves nothing; a link the image planted resolves in its root.
     * Each create has a root of its own: two in one JVM on one root trip over ns-mount's per-class-
     * loader file lock (see the report of issue 19).
     */
    @Test
    void aCommandThatIsNotThereFailsTheCreateAsRuncs() throws Exception {
        ObjectNode config = oci.config("true");
        int n = 0;
        for (String[] command : new String[][] {
            {"nosuchcmd", "executable file not found in $PATH"},
            {"/nosuch/cmd", "stat /nosuch/cmd: no such file or directory"},
            {"escape", "executable file not found in $PATH"},
            {"sh", null}
        }) {
            Path own = Files.createDirectories(root.resolve("bundle-" + n++));
            OciHarness.rootfs(own);
            // the host has it; the container's root has not
            Files.createSymbolicLink(own.resolve("rootfs/bin/escape"), Path.of("/usr/bin/env"));
            ObjectNode args = (ObjectNode) config.get("process");
            if (command[1] == null) {
                args.putArray("args").add("sh").add("-c").add("echo found > /out/found");
            } else {
                args.putArray("args").add(command[0]);
            }
            OciHarness.JSON.writeValue(own.resolve("config.json").toFile(), config);
            if (command[1] == null) {
                oci.ok("create", "--bundle", own.toString(), "x" + n);
                try (var child = Pidfd.open(oci.pid("x" + n))) {
                    oci.ok("start", "x" + n);
                    assertEquals(0, child.awaitExit(Duration.ofSeconds(30)).exitCode());
                } finally {
                    oci.isola("delete", "--force", "x" + n);
                }
                assertEquals("found\n", oci.read("found"));
                continue;
            }
            assertEquals(1, oci.isola("create", "--bundle", own.toString(), "x" + n), command[0]);
            assertTrue(
                    oci.lastErr.contains("exec: \"" + command[0] + "\": ") && oci.lastErr.contains(command[1]),
                    oci.lastErr);
            assertEquals("", oci.ok("list", "-q"), "a refused create left state behind");
        }
    }
}
