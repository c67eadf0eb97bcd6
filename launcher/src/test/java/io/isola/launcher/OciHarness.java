package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.internal.nativ.Pidfd;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The OCI ITs' common ground: a bundle written by {@code runc spec} with a busybox rootfs, edited
 * as an engine would, and isola's OCI verbs run in this JVM as an engine runs them (its own
 * {@code --root}, a JSON {@code --log}). The container's output goes to files in {@link #out}: its
 * stdio is this JVM's, which carries the test runner's own protocol.
 */
final class OciHarness {

    static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path bundle;
    /** Bound into the container at /out: where it leaves what it did. */
    final Path out;

    String lastOut = "";
    String lastErr = "";

    private OciHarness(Path root, Path bundle, Path out) {
        this.root = root;
        this.bundle = bundle;
        this.out = out;
    }

    /** Skips without root, runc (whose spec is the starting config) or busybox-static. */
    static OciHarness in(Path root, Path bundle, Path out) throws Exception {
        RootOnly.require();
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")),
                "the conformance configs are written by runc spec; install runc");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "the bundle's rootfs is busybox-static; install it");
        Process spec =
                new ProcessBuilder("runc", "spec").directory(bundle.toFile()).start();
        assertEquals(0, spec.waitFor());
        rootfs(bundle);
        return new OciHarness(root, bundle, out);
    }

    /** A busybox rootfs in {@code bundle}. */
    static void rootfs(Path bundle) throws IOException {
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet :
                List.of("sh", "echo", "hostname", "sleep", "touch", "true", "tty", "cat", "readlink", "grep")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String dir : List.of("proc", "dev", "sys", "out", "tmp")) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(dir));
        }
    }

    /**
     * runc's starter config (busybox root, read-only, its capabilities, limits, device rules and
     * masked paths) without its network namespace and with {@link #out} bound at /out, running
     * {@code script} with sh.
     */
    ObjectNode config(String script) throws IOException {
        ObjectNode config =
                (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        List.of("sh", "-c", script).forEach(args::add);
        ObjectNode bind = ((ArrayNode) config.get("mounts")).addObject();
        bind.put("destination", "/out").put("type", "bind").put("source", out.toString());
        bind.putArray("options").add("rbind").add("rw");
        dropNamespace(config, "network");
        return config;
    }

    static void dropNamespace(ObjectNode config, String type) {
        ArrayNode namespaces = (ArrayNode) config.get("linux").get("namespaces");
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            if (namespaces.get(i).get("type").asText().equals(type)) {
                namespaces.remove(i);
            }
        }
    }

    void write(JsonNode config) throws IOException {
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(bundle.resolve("config.json").toFile(), config);
    }

    /** isola with the engine's global options; keeps what it printed in {@link #lastOut} and {@link #lastErr}. */
    int isola(String... args) {
        StringWriter stdout = new StringWriter(), stderr = new StringWriter();
        List<String> all = new ArrayList<>(List.of(
                "--root", root.toString(), "--log", root.resolve("log.json").toString(), "--log-format", "json"));
        all.addAll(List.of(args));
        int code =
                Main.execute(all.toArray(String[]::new), new PrintWriter(stdout, true), new PrintWriter(stderr, true));
        lastOut = stdout.toString();
        lastErr = stderr.toString();
        return code;
    }

    String ok(String... args) {
        assertEquals(0, isola(args), () -> String.join(" ", args) + ": " + lastErr);
        return lastOut;
    }

    long pid(String id) throws IOException {
        return JSON.readTree(ok("state", id)).get("pid").asLong();
    }

    /**
     * Creates container {@code id} from the bundle as written, hands its pid (still at the gate)
     * to {@code created}, starts it, waits for its exit and deletes it; returns its exit code.
     */
    int run(String id, CreatedCheck created) throws Exception {
        ok("create", "--bundle", bundle.toString(), id);
        long pid = pid(id);
        try (Pidfd child = Pidfd.open(pid)) { // created in this JVM: ours to reap
            created.check(pid);
            ok("start", id);
            return child.awaitExit(Duration.ofSeconds(30)).exitCode();
        } finally {
            isola("delete", "--force", id);
        }
    }

    int run(String id) throws Exception {
        return run(id, pid -> {});
    }

    String read(String file) throws IOException {
        return Files.readString(out.resolve(file));
    }

    /** What a test looks at while the container waits at its gate. */
    interface CreatedCheck {
        void check(long pid) throws Exception;
    }
}
