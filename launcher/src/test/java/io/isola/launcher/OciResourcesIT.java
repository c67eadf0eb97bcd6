package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code linux.resources} of an OCI bundle, as runc applies them: in the container's own cgroup,
 * with the cgroup namespace the config lists (none: the runtime's; a path: joined).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OciResourcesIT {

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

    private static String ownLink(String namespace) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns", namespace)).toString();
    }

    /** The file {@code name} of {@code pid}'s cgroup in the hierarchy of {@code controller} (v1), or the v2 one. */
    static Path cgroupFile(long pid, String controller, String name) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"));
        for (String line : lines) {
            String[] parts = line.split(":", 3);
            if (List.of(parts[1].split(",")).contains(controller)) {
                return Path.of("/sys/fs/cgroup/" + controller + parts[2], name);
            }
        }
        for (String line : lines) {
            if (line.startsWith("0::")) {
                return Path.of("/sys/fs/cgroup" + line.substring(3), name);
            }
        }
        throw new AssertionError("pid " + pid + " is in no " + controller + " cgroup: " + lines);
    }

    /**
     * Spec: a namespace type not listed is the runtime's. runc's starter config lists no cgroup
     * namespace; with a pids limit the container is in a cgroup of its own that carries it, and
     * its cgroup namespace is the runtime's, so /proc/self/cgroup shows the same inside as outside.
     */
    @Test
    void resourcesWithoutACgroupNamespaceLimitTheContainerInTheRuntimes() throws Exception {
        ObjectNode config = oci.config("readlink /proc/self/ns/cgroup > /out/ns; cat /proc/self/cgroup > /out/cgroup");
        ((ObjectNode) config.get("linux").get("resources")).putObject("pids").put("limit", 42);
        oci.write(config);
        String[] seen = new String[2];

        assertEquals(0, oci.run("r1", pid -> {
            seen[0] = Files.readString(cgroupFile(pid, "pids", "pids.max")).strip();
            seen[1] = Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
        }));

        assertEquals("42", seen[0]);
        assertEquals(ownLink("cgroup"), oci.read("ns").strip());
        assertEquals(seen[1], oci.read("cgroup"), "the container's cgroup as its namespace's root shows it, not as /");
        assertEquals("", oci.ok("list", "-q"));
    }

    /** A cgroup namespace joined by path (a pod's) with limits: joined, and the container still limited. */
    @Test
    void aCgroupNamespaceJoinedByPathKeepsTheContainersLimits() throws Exception {
        Process unshare = new ProcessBuilder("unshare", "--cgroup", "--fork", "--kill-child", "sleep", "1000")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path children = Path.of("/proc", Long.toString(unshare.pid()), "task", Long.toString(unshare.pid()), "children");
            String other = "";
            for (int i = 0; i < 100 && other.isEmpty(); i++) {
                other = Files.readString(children).strip();
                Thread.sleep(50);
            }
            String target = "/proc/" + other + "/ns/cgroup";
            assertNotEquals(ownLink("cgroup"), Files.readSymbolicLink(Path.of(target)).toString());
            ObjectNode config = oci.config("readlink /proc/self/ns/cgroup > /out/ns");
            ((ObjectNode) config.get("linux").get("resources")).putObject("pids").put("limit", 43);
            ((ArrayNode) config.get("linux").get("namespaces")).addObject().put("type", "cgroup").put("path", target);
            oci.write(config);
            String[] limit = new String[1];

            assertEquals(0, oci.run("r2", pid -> limit[0] = Files.readString(cgroupFile(pid, "pids", "pids.max")).strip()));

            assertEquals("43", limit[0]);
            assertEquals(Files.readSymbolicLink(Path.of(target)).toString(), oci.read("ns").strip());
        } finally {
            unshare.destroyForcibly(); // unshare --fork ignores SIGTERM; --kill-child takes sleep with it
            unshare.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
