package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.internal.nativ.Pidfd;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI verbs against runc's own starter config ({@code runc spec}), edited down to what isola
 * supports today: create, state "created", start, state "running", kill, state "stopped", delete;
 * and the error paths, each leaving nothing behind. The container's output goes to files: its
 * stdio is this JVM's, which carries the test runner's own protocol.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OciConformanceIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    @TempDir
    Path bundle;
    /** Bound into the container at /out: where it leaves what it did. */
    @TempDir
    Path out;

    private String lastOut = "";
    private String lastErr = "";

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")),
                "the conformance configs are written by runc spec; install runc");
        Process spec = new ProcessBuilder("runc", "spec").directory(bundle.toFile()).start();
        assertEquals(0, spec.waitFor());
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "the bundle's rootfs is busybox-static; install it");
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "hostname", "sleep", "touch", "true")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String dir : List.of("proc", "dev", "sys", "out", "tmp")) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(dir));
        }
    }

    /**
     * runc's starter config (busybox root, read-only) with its capabilities, limits, device rules
     * and masked paths, but no network namespace (that would need CNI) and a bind mount of {@link
     * #out} at /out, running {@code script}.
     */
    private ObjectNode config(String script) throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        List.of("sh", "-c", script).forEach(args::add);
        ArrayNode mounts = (ArrayNode) config.get("mounts");
        ObjectNode bind = mounts.addObject();
        bind.put("destination", "/out");
        bind.put("type", "bind");
        bind.put("source", out.toString());
        bind.putArray("options").add("rbind").add("rw");
        ObjectNode linux = (ObjectNode) config.get("linux");
        ArrayNode namespaces = (ArrayNode) linux.get("namespaces");
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            if (namespaces.get(i).get("type").asText().equals("network")) {
                namespaces.remove(i);
            }
        }
        return config;
    }

    private void write(JsonNode config) throws Exception {
        JSON.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("config.json").toFile(), config);
    }

    private int isola(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--log", root.resolve("log.json").toString(),
                "--log-format", "json"));
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

    private String status(String id) throws Exception {
        return JSON.readTree(ok("state", id)).get("status").asText();
    }

    @Test
    void createStartKillDeleteWalkTheOciStates() throws Exception {
        Path marker = out.resolve("ran");
        write(config("echo $$ $(hostname) > /out/ran; exec sleep 1000"));
        Path pidFile = root.resolve("pid");
        // a link planted at the pid file's temporary name must not redirect the write
        Path victim = Files.writeString(out.resolve("victim"), "keep");
        Files.createSymbolicLink(root.resolve(".pid.tmp"), victim);

        ok("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "c1");
        assertEquals("keep", Files.readString(victim));
        // the state isola keeps for the created container: the caller's, private
        Path state = root.resolve("c1");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        for (String file : List.of("state.json", "status.fifo", "exec.fifo", "exec.paths")) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(state.resolve(file), java.nio.file.LinkOption.NOFOLLOW_LINKS)), file);
        }

        JsonNode created = JSON.readTree(ok("state", "c1"));
        assertEquals("created", created.get("status").asText());
        long pid = created.get("pid").asLong();
        assertNotEquals(0, pid);
        assertEquals(Long.toString(pid), Files.readString(pidFile).strip());
        assertEquals(bundle.toString(), created.get("bundle").asText());
        Thread.sleep(200);
        assertFalse(Files.exists(marker), "the command ran before start");

        try (Pidfd child = Pidfd.open(pid)) { // created in this JVM: ours to reap
            ok("start", "c1");
            assertEquals("running", status("c1"));
            for (int i = 0; i < 100 && !Files.exists(marker); i++) {
                Thread.sleep(50);
            }
            assertEquals("1 runc", Files.readString(marker).strip());

            ok("kill", "c1", "KILL");
            assertTrue(child.awaitExit(Duration.ofSeconds(10)) != null, "the container did not die");
        }
        assertEquals("stopped", status("c1"));

        ok("delete", "c1");
        assertEquals(125, isola("state", "c1"));
        assertEquals("isola: no such container: c1\n", lastErr);
    }

    @Test
    void anUnsupportedFieldIsRefusedByNameAndLogged() throws Exception {
        ObjectNode config = config("true");
        ((ObjectNode) config.get("linux")).putArray("devices").addObject().put("path", "/dev/fuse").put("type", "c")
                .put("major", 10).put("minor", 229);
        ((ObjectNode) config.get("process")).put("apparmorProfile", "isola-test");
        write(config);

        assertNotEquals(0, isola("create", "--bundle", bundle.toString(), "c2"));

        assertTrue(lastErr.contains("linux.devices") && lastErr.contains("process.apparmorProfile"), lastErr);
        JsonNode logged = JSON.readTree(Files.readAllLines(root.resolve("log.json")).get(0));
        assertEquals("error", logged.get("level").asText());
        assertTrue(logged.get("msg").asText().contains("linux.devices"), logged.toString());
        assertEquals("", ok("list", "-q"), "a refused create left state behind");
    }

    @Test
    void errorPathsOfStartDeleteAndCreate() throws Exception {
        write(config("exec sleep 1000"));
        assertNotEquals(0, isola("start", "nosuch"));
        ok("create", "--bundle", bundle.toString(), "c3");
        long pid = JSON.readTree(ok("state", "c3")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            assertNotEquals(0, isola("create", "--bundle", bundle.toString(), "c3"));
            assertTrue(lastErr.contains("already in use"), lastErr);
            ok("start", "c3");
            assertNotEquals(0, isola("start", "c3"));
            assertTrue(lastErr.contains("not created"), lastErr);
            assertNotEquals(0, isola("delete", "c3"));
            assertTrue(lastErr.contains("--force"), lastErr);

            ok("delete", "--force", "c3");

            assertTrue(child.awaitExit(Duration.ofSeconds(10)) != null);
        }
        assertEquals("", ok("list", "-q"));
    }

    @Test
    void aCreatedContainerCanBeDeletedWithoutEverRunning() throws Exception {
        Path marker = out.resolve("never");
        write(config("touch /out/never"));
        ok("create", "--bundle", bundle.toString(), "c4");
        long pid = JSON.readTree(ok("state", "c4")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            ok("delete", "c4");
            assertTrue(child.awaitExit(Duration.ofSeconds(10)) != null);
        }
        assertFalse(Files.exists(marker));
    }

    @Test
    void hooksRunWithTheStateOnStdin() throws Exception {
        Path log = root.resolve("hooks");
        ObjectNode config = config("exec sleep 1000");
        ObjectNode hooks = config.putObject("hooks");
        for (String kind : List.of("createRuntime", "prestart", "poststart", "poststop")) {
            ObjectNode hook = hooks.putArray(kind).addObject();
            hook.put("path", "/bin/sh");
            ArrayNode args = hook.putArray("args");
            List.of("sh", "-c", "read state; echo " + kind + " \"$state\" >> " + log).forEach(args::add);
        }
        write(config);

        ok("create", "--bundle", bundle.toString(), "c5");
        long pid = JSON.readTree(ok("state", "c5")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            ok("start", "c5");
            ok("delete", "--force", "c5");
            child.awaitExit(Duration.ofSeconds(10));
        }

        List<String> lines = Files.readAllLines(log);
        assertEquals(List.of("createRuntime", "prestart", "poststart", "poststop"),
                lines.stream().map(l -> l.split(" ")[0]).toList());
        assertTrue(lines.get(0).contains("\"id\":\"c5\"") && lines.get(0).contains("\"status\":\"created\""), lines.get(0));
        assertTrue(lines.get(3).contains("\"status\":\"stopped\""), lines.get(3));
    }
}
