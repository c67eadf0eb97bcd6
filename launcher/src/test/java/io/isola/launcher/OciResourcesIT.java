package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            Path children =
                    Path.of("/proc", Long.toString(unshare.pid()), "task", Long.toString(unshare.pid()), "children");
            String other = "";
            for (int i = 0; i < 100 && other.isEmpty(); i++) {
                other = Files.readString(children).strip();
                Thread.sleep(50);
            }
            String target = "/proc/" + other + "/ns/cgroup";
            assertNotEquals(
                    ownLink("cgroup"), Files.readSymbolicLink(Path.of(target)).toString());
            ObjectNode config = oci.config("readlink /proc/self/ns/cgroup > /out/ns");
            ((ObjectNode) config.get("linux").get("resources"))
                    .putObject("pids")
                    .put("limit", 43);
            ((ArrayNode) config.get("linux").get("namespaces"))
                    .addObject()
                    .put("type", "cgroup")
                    .put("path", target);
            oci.write(config);
            String[] limit = new String[1];

            assertEquals(
                    0,
                    oci.run(
                            "r2",
                            pid -> limit[0] = Files.readString(cgroupFile(pid, "pids", "pids.max"))
                                    .strip()));

            assertEquals("43", limit[0]);
            assertEquals(
                    Files.readSymbolicLink(Path.of(target)).toString(),
                    oci.read("ns").strip());
        } finally {
            unshare.destroyForcibly(); // unshare --fork ignores SIGTERM; --kill-child takes sleep with it
            unshare.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** This host's layout as the tuning cases expect it: hybrid, with v1 cpu, cpuset and memory and cgroup2's hugetlb. */
    private static void assumeHybridLikeCi() throws IOException {
        Path unified = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
        assumeTrue(
                Files.exists(Path.of("/sys/fs/cgroup/cpu/cpu.rt_runtime_us"))
                        && Files.exists(Path.of("/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device"))
                        && Files.exists(Path.of("/sys/block/loop0/dev"))
                        && Files.exists(Path.of("/sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes"))
                        && Files.exists(Path.of("/sys/fs/cgroup/cpuset/cpuset.mems"))
                        && Files.exists(unified)
                        && Files.readString(unified).contains("hugetlb")
                        && Files.isDirectory(Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB")),
                "the tuning cases are written for a hybrid host like the CI's (v1 cpu with real-time, cpuset, memory, blkio; cgroup2 hugetlb)");
    }

    private ObjectNode tuned(String script, String path) throws IOException {
        ObjectNode config = oci.config(script);
        ((ArrayNode) config.get("linux").get("namespaces")).addObject().put("type", "cgroup");
        ((ObjectNode) config.get("linux")).put("cgroupsPath", "/" + path);
        return config;
    }

    /**
     * The settings beyond Docker's limits, each where this hybrid host has its controller (v1 cpu,
     * cpuset and memory; huge pages and unified files in the cgroup2 hierarchy), as the container
     * sees them in its own /sys/fs/cgroup. Its cgroup sits at the hierarchies' roots (cgroupsPath),
     * which have real-time budget to give; isola's own parent has none, as a new cgroup.
     */
    @Test
    void tuningBeyondDockersLimitsShowsInTheContainersCgroupFiles() throws Exception {
        assumeHybridLikeCi();
        String path = "isola-oci-tuning-" + ProcessHandle.current().pid();
        ObjectNode config = tuned(
                "cd /sys/fs/cgroup; cat cpuset/cpuset.mems cpu/cpu.idle cpu/cpu.rt_runtime_us"
                        + " memory/memory.swappiness memory/memory.kmem.tcp.limit_in_bytes unified/hugetlb.2MB.max"
                        + " unified/cgroup.max.depth > /out/seen; grep oom_kill_disable memory/memory.oom_control >> /out/seen;"
                        + " cat cpu/cpu.rt_period_us memory/memory.soft_limit_in_bytes"
                        + " blkio/blkio.throttle.read_bps_device >> /out/seen",
                path);
        // a block device of this host's, for the throttle (loop0 is there wherever loop is)
        String device = Files.readString(Path.of("/sys/block/loop0/dev")).strip();
        ObjectNode resources = (ObjectNode) config.get("linux").get("resources");
        resources
                .putObject("cpu")
                .put("mems", "0")
                .put("idle", 1)
                .put("realtimeRuntime", 10000)
                .put("realtimePeriod", 500000);
        resources
                .putObject("blockIO")
                .putArray("throttleReadBpsDevice")
                .addObject()
                .put("major", Integer.parseInt(device.split(":")[0]))
                .put("minor", Integer.parseInt(device.split(":")[1]))
                .put("rate", 1L << 20);
        resources
                .putObject("memory")
                .put("reservation", 32L << 20)
                .put("swappiness", 10)
                .put("disableOOMKiller", true)
                .put("kernel", 1L << 30)
                .put("kernelTCP", 100L << 20);
        resources.putArray("hugepageLimits").addObject().put("pageSize", "2MB").put("limit", 4L << 20);
        resources.putObject("unified").put("cgroup.max.depth", "5");
        oci.write(config);

        assertEquals(0, oci.run("t1"));

        assertEquals(
                List.of(
                        "0",
                        "1",
                        "10000",
                        "10",
                        Long.toString(100L << 20),
                        Long.toString(4L << 20),
                        "5",
                        "oom_kill_disable 1",
                        "500000",
                        Long.toString(32L << 20),
                        device + " " + (1L << 20)),
                Files.readAllLines(out.resolve("seen")));
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/cpu", path)), "the container's cgroup was left behind");
        assertFalse(
                Files.exists(Path.of("/sys/fs/cgroup/unified", path)),
                "the container's cgroup2 cgroup was left behind");
    }

    /**
     * What this host lacks is refused naming the controller and the layout (net_cls is not
     * mounted here; memory is v1's, which unified cannot set), before anything is made; a unified
     * file found missing only once the cgroup exists takes the cgroup away again.
     */
    @Test
    void tuningThisHostCannotApplyIsRefusedNamingTheLayoutAndLeavesNothing() throws Exception {
        assumeHybridLikeCi();
        assumeTrue(
                Files.readAllLines(Path.of("/proc/self/cgroup")).stream().noneMatch(l -> l.contains("net_cls")),
                "this host mounts net_cls");
        String path = "isola-oci-refused-" + ProcessHandle.current().pid();
        ObjectNode base = tuned("true", path);
        ObjectNode config = base.deepCopy();
        ((ObjectNode) config.get("linux").get("resources")).putObject("network").put("classID", 42);
        oci.write(config);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "t2"));
        assertTrue(
                oci.lastErr.contains("linux.resources.network.classID")
                        && oci.lastErr.contains("net_cls")
                        && oci.lastErr.contains("hybrid (cgroup v1 hierarchies for"),
                oci.lastErr);

        config = base.deepCopy();
        ((ObjectNode) config.get("linux").get("resources")).putObject("unified").put("memory.high", "10000000");
        oci.write(config);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "t2"));
        assertTrue(
                oci.lastErr.contains("unified.memory.high") && oci.lastErr.contains("memory controller on cgroup v1"),
                oci.lastErr);

        config = base.deepCopy();
        ((ObjectNode) config.get("linux").get("resources")).putObject("unified").put("hugetlb.3MB.max", "0");
        oci.write(config);
        assertEquals(1, oci.isola("create", "--bundle", bundle.toString(), "t2"));
        assertTrue(oci.lastErr.contains("hugetlb.3MB.max") && oci.lastErr.contains("no such file"), oci.lastErr);
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/cpu", path)), "a refused create left its cgroup behind");
        assertFalse(
                Files.exists(Path.of("/sys/fs/cgroup/unified", path)),
                "a refused create left its cgroup2 cgroup behind");
        assertEquals("", oci.ok("list", "-q"));
    }
}
