package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.internal.nativ.FdInputStream;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Pidfd;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")),
                "the conformance configs are written by runc spec; install runc");
        Process spec =
                new ProcessBuilder("runc", "spec").directory(bundle.toFile()).start();
        assertEquals(0, spec.waitFor());
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "the bundle's rootfs is busybox-static; install it");
        rootfs(bundle);
    }

    /** A busybox rootfs in {@code bundle}. */
    private static void rootfs(Path bundle) throws IOException {
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "hostname", "sleep", "touch", "true", "tty", "cat", "readlink")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String dir : List.of("proc", "dev", "sys", "out", "tmp")) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(dir));
        }
    }

    /**
     * runc's starter config (busybox root, read-only) with its capabilities, limits, device rules
     * and masked paths, but no network namespace (one test adds it back) and a bind mount of {@link
     * #out} at /out, running {@code script}.
     */
    private ObjectNode config(String script) throws Exception {
        ObjectNode config =
                (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
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
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(bundle.resolve("config.json").toFile(), config);
    }

    private int isola(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(
                "--root", root.toString(), "--log", root.resolve("log.json").toString(), "--log-format", "json"));
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
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        for (String file : List.of("state.json", "created-config.json", "status.fifo", "exec.fifo", "exec.paths")) {
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(state.resolve(file), LinkOption.NOFOLLOW_LINKS)),
                    file);
        }

        JsonNode created = JSON.readTree(ok("state", "c1"));
        assertEquals("created", created.get("status").asText());
        long pid = created.get("pid").asLong();
        assertNotEquals(0, pid);
        assertEquals(Long.toString(pid), Files.readString(pidFile).strip());
        assertEquals(bundle.toString(), created.get("bundle").asText());
        assertEquals(bundle.resolve("rootfs").toString(), created.get("rootfs").asText());
        Thread.sleep(200);
        assertFalse(Files.exists(marker), "the command ran before start");

        try (Pidfd child = Pidfd.open(pid)) { // created in this JVM: ours to reap
            ok("start", "c1");
            assertEquals("running", status("c1"));
            for (int i = 0;
                    i < 100
                            && !(Files.exists(marker)
                                    && Files.readString(marker).endsWith("\n"));
                    i++) {
                Thread.sleep(50); // for the line, not the file: the shell creates it before it writes
            }
            assertEquals("1 runc", Files.readString(marker).strip());

            ok("kill", "c1", "KILL");
            assertTrue(child.awaitExit(Duration.ofSeconds(10)) != null, "the container did not die");
        }
        assertEquals("stopped", status("c1"));

        ok("delete", "c1");
        assertEquals(1, isola("state", "c1"));
        assertEquals("isola: no such container: c1\n", lastErr);
    }

    @Test
    void anUnsupportedFieldIsRefusedByNameAndLogged() throws Exception {
        ObjectNode config = config("true");
        ((ObjectNode) config.get("linux")).putObject("memoryPolicy").put("mode", "MPOL_BIND");
        ((ObjectNode) config.get("linux").get("resources"))
                .putObject("rdma")
                .putObject("mlx5_1")
                .put("hcaHandles", 3);
        write(config);

        assertNotEquals(0, isola("create", "--bundle", bundle.toString(), "c2"));

        assertTrue(lastErr.contains("linux.memoryPolicy") && lastErr.contains("linux.resources.rdma"), lastErr);
        JsonNode logged =
                JSON.readTree(Files.readAllLines(root.resolve("log.json")).get(0));
        assertEquals("error", logged.get("level").asText());
        assertTrue(logged.get("msg").asText().contains("linux.memoryPolicy"), logged.toString());
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
            // an OCI id is a whole id: "c" is no container, not c3 by its prefix (containerd's
            // shim deletes its gone id with --force at every cleanup, as runc and crun take with 0)
            assertNotEquals(0, isola("delete", "c"));
            assertTrue(lastErr.contains("no such container: c"), lastErr);
            ok("delete", "--force", "c");
            for (String verb : List.of("kill", "state", "start")) { // an engine's calls for its gone "c"
                assertNotEquals(0, isola(verb, "c"), verb + " c acted on c3");
                assertTrue(lastErr.contains("no such container: c"), verb + ": " + lastErr);
            }
            assertEquals(
                    "running", JSON.readTree(ok("state", "c3")).get("status").asText());

            ok("delete", "--force", "c3");
            ok("delete", "--force", "c3");

            assertTrue(child.awaitExit(Duration.ofSeconds(10)) != null);
        } finally {
            isola("delete", "--force", "c3"); // a failed check left it running, holding the fork's output
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

    /** As runc does (libcontainer adds a loopback network): a new network namespace has lo up, and only lo. */
    @Test
    void aNewNetworkNamespaceHasLoUpAndCarriesTraffic() throws Exception {
        String hostLo = Files.readString(Path.of("/sys/class/net/lo/flags"));
        ObjectNode config = config(
                "cat /sys/class/net/lo/operstate /sys/class/net/lo/flags > /out/lo; busybox ls /sys/class/net > /out/links;"
                        + " echo hello-over-lo > /out/msg; busybox nc -l -p 7777 > /out/nc & i=0;"
                        + " while [ $i -lt 50 ]; do busybox nc -w 1 127.0.0.1 7777 < /out/msg"
                        + " && break; i=$((i+1)); sleep 0.1; done; wait");
        ((ArrayNode) config.get("linux").get("namespaces")).addObject().put("type", "network");
        write(config);

        ok("create", "--bundle", bundle.toString(), "n1");
        long pid = JSON.readTree(ok("state", "n1")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            assertNotEquals(
                    Files.readSymbolicLink(Path.of("/proc/self/ns/net")),
                    Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")));
            ok("start", "n1");
            assertEquals(0, child.awaitExit(Duration.ofSeconds(30)).exitCode());
        }
        ok("delete", "n1");
        settleFds();

        assertEquals(
                List.of("unknown", "0x9"), Files.readAllLines(out.resolve("lo")), "lo is up (IFF_UP|IFF_LOOPBACK)");
        assertEquals(List.of("lo"), Files.readAllLines(out.resolve("links")));
        assertEquals("hello-over-lo", Files.readString(out.resolve("nc")).strip());
        assertEquals(hostLo, Files.readString(Path.of("/sys/class/net/lo/flags")), "the host's lo changed");
        assertEquals("", ok("list", "-q"));
        try (var mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertEquals(List.of(), mounts.filter(line -> line.contains("/n1/")).toList(), "a namespace pin stayed");
        }
    }

    /** The namespace types of a config, without the paths: what the test configs start from. */
    private static void dropNamespace(ObjectNode config, String type) {
        ArrayNode namespaces = (ArrayNode) config.get("linux").get("namespaces");
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            if (namespaces.get(i).get("type").asText().equals(type)) {
                namespaces.remove(i);
            }
        }
    }

    private static String link(long pid, String namespace) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", namespace))
                .toString();
    }

    /**
     * Spec: "If a namespace type is not specified in the namespaces array, the container MUST
     * inherit the runtime namespace of that type". Without a mount namespace, as runc does, the
     * process is chrooted into root.path; the mounts, which would change the runtime's own mount
     * namespace, are not made (runc makes them there and leaves them behind).
     */
    @Test
    void aConfigWithoutAMountNamespaceRunsInTheRuntimesWithItsRootChrootedInto() throws Exception {
        ObjectNode config = config("echo $$ > /ran; exec sleep 1000");
        dropNamespace(config, "mount");
        ObjectNode linux = (ObjectNode) config.get("linux");
        linux.remove("maskedPaths"); // runc too refuses to mask paths without a mount namespace
        linux.remove("readonlyPaths");
        ((ObjectNode) config.get("root")).put("readonly", false);
        write(config);
        Path rootfs = bundle.resolve("rootfs");

        ok("create", "--bundle", bundle.toString(), "m1");
        long pid = JSON.readTree(ok("state", "m1")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString(), link(pid, "mnt"));
            assertEquals(
                    rootfs.toRealPath().toString(),
                    Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root"))
                            .toString());
            ok("start", "m1");
            // The shell creates the file before it writes to it: wait for the line, not the file.
            Path ran = rootfs.resolve("ran");
            for (int i = 0;
                    i < 100 && !(Files.exists(ran) && Files.readString(ran).endsWith("\n"));
                    i++) {
                Thread.sleep(50);
            }
            assertEquals("1", Files.readString(ran).strip(), "the process's pid in its pid namespace");
            ok("delete", "--force", "m1");
            assertNotNull(child.awaitExit(Duration.ofSeconds(10)));
        } finally {
            isola("delete", "--force", "m1");
        }
        try (var mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertEquals(
                    List.of(),
                    mounts.filter(line -> line.contains(rootfs.toString())).toList(),
                    "a mount was made in the runtime's mount namespace");
        }
    }

    /**
     * A pod as Kubernetes builds one: a sandbox container with a network, IPC and UTS namespace
     * (and a PID namespace) of its own, then an app container that joins them by the sandbox's
     * /proc/PID/ns paths, with a mount namespace of its own and the pod's host name (containerd
     * sets it in every container of the pod).
     */
    @Test
    void aPodsAppContainerJoinsTheSandboxsNamespacesByPath() throws Exception {
        ObjectNode base = config("exec sleep 1000");
        ObjectNode sandbox = base.deepCopy();
        ((ArrayNode) sandbox.get("linux").get("namespaces")).addObject().put("type", "network");
        sandbox.put("hostname", "pod-host");
        write(sandbox);
        try {
            ok("create", "--bundle", bundle.toString(), "sandbox");
            long pause = JSON.readTree(ok("state", "sandbox")).get("pid").asLong();
            try (Pidfd sandboxChild = Pidfd.open(pause)) {
                ok("start", "sandbox");

                ObjectNode app = base.deepCopy();
                ArrayNode args = ((ObjectNode) app.get("process")).putArray("args");
                List.of(
                                "sh",
                                "-c",
                                "for n in net ipc uts pid mnt; do readlink /proc/self/ns/$n; done > /out/app;"
                                        + " hostname >> /out/app; echo $$ >> /out/app")
                        .forEach(args::add);
                app.put("hostname", "pod-host");
                for (String type : List.of("pid", "ipc", "uts")) {
                    dropNamespace(app, type);
                }
                ArrayNode namespaces = (ArrayNode) app.get("linux").get("namespaces");
                for (String[] join :
                        new String[][] {{"network", "net"}, {"ipc", "ipc"}, {"uts", "uts"}, {"pid", "pid"}}) {
                    namespaces.addObject().put("type", join[0]).put("path", "/proc/" + pause + "/ns/" + join[1]);
                }
                Path appBundle =
                        Files.createDirectories(root.resolve("app-bundle")); // each container its own root, as in a pod
                rootfs(appBundle);
                JSON.writerWithDefaultPrettyPrinter()
                        .writeValue(appBundle.resolve("config.json").toFile(), app);
                ok("create", "--bundle", appBundle.toString(), "app");
                long appPid = JSON.readTree(ok("state", "app")).get("pid").asLong();
                try (Pidfd appChild = Pidfd.open(appPid)) {
                    ok("start", "app");
                    assertEquals(0, appChild.awaitExit(Duration.ofSeconds(30)).exitCode());
                }
                ok("delete", "app");

                List<String> seen = Files.readAllLines(out.resolve("app"));
                assertEquals(
                        List.of(link(pause, "net"), link(pause, "ipc"), link(pause, "uts"), link(pause, "pid")),
                        seen.subList(0, 4),
                        "the app container's namespaces are the sandbox's");
                assertNotEquals(link(pause, "mnt"), seen.get(4), "the app container has a mount namespace of its own");
                assertEquals("pod-host", seen.get(5));
                assertNotEquals("1", seen.get(6), "the sandbox's sleep is PID 1 of the pod's PID namespace");
                ok("delete", "--force", "sandbox");
                assertNotNull(sandboxChild.awaitExit(Duration.ofSeconds(10)));
            }
        } finally {
            isola("delete", "--force", "app");
            isola("delete", "--force", "sandbox");
        }
        assertEquals("", ok("list", "-q"));
    }

    private static void mapping(ArrayNode maps, long container, long host, long size) {
        maps.addObject().put("containerID", container).put("hostID", host).put("size", size);
    }

    /**
     * linux.uidMappings and gidMappings give the new user namespace its maps (as root, written
     * directly), as rootless podman and user-namespaced pods send them; a namespace joined by path
     * afterwards (an app container of that pod) is the same user namespace.
     */
    @Test
    void uidAndGidMappingsMakeTheUserNamespaceThatAnotherContainerJoinsByPath() throws Exception {
        ObjectNode base = config("exec sleep 1000");
        ObjectNode sandbox = base.deepCopy();
        ((ArrayNode) sandbox.get("linux").get("namespaces")).addObject().put("type", "user");
        ((ArrayNode) sandbox.get("linux").get("namespaces")).addObject().put("type", "network");
        ((ObjectNode) sandbox.get("root")).put("readonly", false);
        mapping(((ObjectNode) sandbox.get("linux")).putArray("uidMappings"), 0, 200000, 65536);
        mapping(((ObjectNode) sandbox.get("linux")).putArray("gidMappings"), 0, 300000, 65536);
        // the mapped root must reach its root and its /out
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rwxr-xr-x"));
        write(sandbox);
        try {
            ok("create", "--bundle", bundle.toString(), "u1");
            long sandboxPid = JSON.readTree(ok("state", "u1")).get("pid").asLong();
            try (Pidfd sandboxChild = Pidfd.open(sandboxPid)) {
                assertEquals(
                        List.of("0 200000 65536"),
                        Files.readAllLines(Path.of("/proc", Long.toString(sandboxPid), "uid_map")).stream()
                                .map(line -> line.trim().replaceAll("\\s+", " "))
                                .toList());
                assertEquals(
                        List.of("0 300000 65536"),
                        Files.readAllLines(Path.of("/proc", Long.toString(sandboxPid), "gid_map")).stream()
                                .map(line -> line.trim().replaceAll("\\s+", " "))
                                .toList());
                ok("start", "u1");

                ObjectNode app = base.deepCopy();
                ArrayNode args = ((ObjectNode) app.get("process")).putArray("args");
                List.of(
                                "sh",
                                "-c",
                                "for n in user net ipc uts pid mnt; do readlink /proc/self/ns/$n; done > /out/app;"
                                        + " cat /proc/self/uid_map >> /out/app")
                        .forEach(args::add);
                ObjectNode linux = (ObjectNode) app.get("linux");
                linux.remove("maskedPaths");
                linux.remove("readonlyPaths");
                ArrayNode namespaces = linux.putArray("namespaces");
                for (String[] join : new String[][] {
                    {"user", "user"},
                    {"network", "net"},
                    {"ipc", "ipc"},
                    {"uts", "uts"},
                    {"pid", "pid"},
                    {"mount", "mnt"}
                }) {
                    namespaces.addObject().put("type", join[0]).put("path", "/proc/" + sandboxPid + "/ns/" + join[1]);
                }
                write(app);
                ok("create", "--bundle", bundle.toString(), "u2");
                long appPid = JSON.readTree(ok("state", "u2")).get("pid").asLong();
                try (Pidfd appChild = Pidfd.open(appPid)) {
                    ok("start", "u2");
                    assertEquals(0, appChild.awaitExit(Duration.ofSeconds(30)).exitCode());
                }
                ok("delete", "u2");
                List<String> seen = Files.readAllLines(out.resolve("app"));
                assertEquals(
                        List.of(
                                link(sandboxPid, "user"),
                                link(sandboxPid, "net"),
                                link(sandboxPid, "ipc"),
                                link(sandboxPid, "uts"),
                                link(sandboxPid, "pid"),
                                link(sandboxPid, "mnt")),
                        seen.subList(0, 6));
                assertEquals("0 200000 65536", seen.get(6).trim().replaceAll("\\s+", " "));

                podAppWithItsOwnMountPidAndCgroupNamespaces(base, sandboxPid);
                ok("delete", "--force", "u1");
                assertNotNull(sandboxChild.awaitExit(Duration.ofSeconds(10)));
            }
        } finally {
            isola("delete", "--force", "u3");
            isola("delete", "--force", "u2");
            isola("delete", "--force", "u1");
        }
        assertEquals("", ok("list", "-q"));
    }

    /**
     * Kubernetes' user-namespaced pod (hostUsers: false): the app joins the sandbox's user, net,
     * ipc and uts namespaces by path and creates its own mount, PID and cgroup namespaces, which
     * the joined user namespace owns (its root may mount there). The pid state reports is the
     * container's init, PID 1 of its namespace; kill, delete and its cgroup work on it.
     */
    private void podAppWithItsOwnMountPidAndCgroupNamespaces(ObjectNode base, long sandboxPid) throws Exception {
        ObjectNode app = base.deepCopy();
        ArrayNode args = ((ObjectNode) app.get("process")).putArray("args");
        List.of(
                        "sh",
                        "-c",
                        "for n in user net ipc uts pid mnt cgroup; do readlink /proc/self/ns/$n; done > /out/k8s;"
                                + " cat /proc/self/uid_map >> /out/k8s; echo $$ >> /out/k8s;"
                                + " busybox mount -t tmpfs pod /tmp && echo mounted >> /out/k8s; exec sleep 1000")
                .forEach(args::add);
        ObjectNode capabilities = (ObjectNode) app.get("process").get("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ((ArrayNode) capabilities.get(set)).add("CAP_SYS_ADMIN");
        }
        for (String type : List.of("ipc", "uts")) {
            dropNamespace(app, type);
        }
        ArrayNode namespaces = (ArrayNode) app.get("linux").get("namespaces");
        namespaces.addObject().put("type", "cgroup");
        for (String[] join : new String[][] {{"user", "user"}, {"network", "net"}, {"ipc", "ipc"}, {"uts", "uts"}}) {
            namespaces.addObject().put("type", join[0]).put("path", "/proc/" + sandboxPid + "/ns/" + join[1]);
        }
        write(app);

        ok("create", "--bundle", bundle.toString(), "u3");
        long pid = JSON.readTree(ok("state", "u3")).get("pid").asLong();
        List<Path> made = cgroupsMadeFor(pid);
        assertFalse(made.isEmpty(), "the container got no cgroup of its own");
        try (Pidfd child = Pidfd.open(pid)) {
            String nspid = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith("NSpid:"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    nspid.matches("NSpid:\\s+" + pid + "\\s+1"), "state's pid is PID 1 of a new namespace: " + nspid);
            ok("start", "u3");
            Path seenFile = out.resolve("k8s");
            for (int i = 0;
                    i < 200
                            && !(Files.exists(seenFile)
                                    && Files.readString(seenFile).contains("mounted"));
                    i++) {
                Thread.sleep(50); // bounded: the script writes its last line before it sleeps
            }
            ok("kill", "u3", "KILL");
            assertNotNull(child.awaitExit(Duration.ofSeconds(10)));
            assertEquals("stopped", status("u3"));
        }
        ok("delete", "u3");
        assertEquals(List.of(), made.stream().filter(Files::exists).toList(), "delete left the cgroups");

        List<String> seen = Files.readAllLines(out.resolve("k8s"));
        assertEquals(
                List.of(
                        link(sandboxPid, "user"),
                        link(sandboxPid, "net"),
                        link(sandboxPid, "ipc"),
                        link(sandboxPid, "uts")),
                seen.subList(0, 4),
                "the app joined the pod's namespaces");
        assertNotEquals(link(sandboxPid, "pid"), seen.get(4), "the app's PID namespace is its own");
        assertNotEquals(link(sandboxPid, "mnt"), seen.get(5), "the app's mount namespace is its own");
        assertNotEquals(link(sandboxPid, "cgroup"), seen.get(6), "the app's cgroup namespace is its own");
        assertEquals("0 200000 65536", seen.get(7).trim().replaceAll("\\s+", " "));
        assertEquals("1", seen.get(8), "the app's shell is PID 1 of its namespace");
        assertEquals("mounted", seen.get(9), "root in the joined user namespace owns the app's mount namespace");
    }

    /** The time and cgroup namespaces of another process (unshare's child), joined by path. */
    @Test
    void timeAndCgroupNamespacesAreJoinedByPath() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/ns/time")), "this kernel has no time namespaces");
        Process unshare = new ProcessBuilder("unshare", "--time", "--cgroup", "--fork", "--kill-child", "sleep", "1000")
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
            long target = Long.parseLong(other);
            assertNotEquals(
                    Files.readSymbolicLink(Path.of("/proc/self/ns/time")).toString(), link(target, "time"));
            ObjectNode config =
                    config("readlink /proc/self/ns/time > /out/ns; readlink /proc/self/ns/cgroup >> /out/ns");
            ArrayNode namespaces = (ArrayNode) config.get("linux").get("namespaces");
            namespaces.addObject().put("type", "time").put("path", "/proc/" + target + "/ns/time");
            namespaces.addObject().put("type", "cgroup").put("path", "/proc/" + target + "/ns/cgroup");
            write(config);

            ok("create", "--bundle", bundle.toString(), "tc1");
            long pid = JSON.readTree(ok("state", "tc1")).get("pid").asLong();
            try (Pidfd child = Pidfd.open(pid)) {
                ok("start", "tc1");
                assertEquals(0, child.awaitExit(Duration.ofSeconds(30)).exitCode());
            } finally {
                isola("delete", "--force", "tc1");
            }
            assertEquals(List.of(link(target, "time"), link(target, "cgroup")), Files.readAllLines(out.resolve("ns")));
        } finally {
            unshare.destroyForcibly(); // unshare --fork ignores SIGTERM; --kill-child takes sleep with it
            unshare.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** linux.devices: each node made in the container's /dev with its type, number, mode and owner. */
    @Test
    void linuxDevicesAreMadeWithTheirTypeNumberModeAndOwner() throws Exception {
        ObjectNode config =
                config("busybox stat -c '%n %F %t:%T %a %u:%g' /dev/fuse /dev/sub/loop7 /dev/kmsg-pipe > /out/devices");
        ArrayNode devices = ((ObjectNode) config.get("linux")).putArray("devices");
        devices.addObject()
                .put("path", "/dev/fuse")
                .put("type", "c")
                .put("major", 10)
                .put("minor", 229)
                .put("fileMode", 0620)
                .put("uid", 1000)
                .put("gid", 5);
        devices.addObject()
                .put("path", "/dev/sub/loop7")
                .put("type", "b")
                .put("major", 7)
                .put("minor", 7)
                .put("fileMode", 0600)
                .put("uid", 0)
                .put("gid", 6);
        devices.addObject().put("path", "/dev/kmsg-pipe").put("type", "p").put("fileMode", 0644);
        write(config);

        ok("create", "--bundle", bundle.toString(), "d1");
        long pid = JSON.readTree(ok("state", "d1")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            ok("start", "d1");
            assertEquals(0, child.awaitExit(Duration.ofSeconds(30)).exitCode());
        } finally {
            isola("delete", "--force", "d1");
        }
        assertEquals(
                List.of(
                        "/dev/fuse character special file a:e5 620 1000:5",
                        "/dev/sub/loop7 block special file 7:7 600 0:6",
                        "/dev/kmsg-pipe fifo 0:0 644 0:0"),
                Files.readAllLines(out.resolve("devices")));
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
            List.of("sh", "-c", "read state; echo " + kind + " \"$state\" >> " + log)
                    .forEach(args::add);
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
        assertEquals(
                List.of("createRuntime", "prestart", "poststart", "poststop"),
                lines.stream().map(l -> l.split(" ")[0]).toList());
        assertTrue(
                lines.get(0).contains("\"id\":\"c5\"") && lines.get(0).contains("\"status\":\"created\""),
                lines.get(0));
        assertTrue(lines.get(3).contains("\"status\":\"stopped\""), lines.get(3));
    }

    /**
     * Spec: a failing poststart or poststop hook is logged as a warning, and "the remaining hooks
     * and lifecycle continue as if the hook had succeeded": start and delete succeed.
     */
    @Test
    void failingPoststartAndPoststopHooksAreWarningsAndTheRestGoesOn() throws Exception {
        Path log = root.resolve("hooks");
        ObjectNode config = config("exec sleep 1000");
        ObjectNode hooks = config.putObject("hooks");
        for (String kind : List.of("poststart", "poststop")) {
            ArrayNode list = hooks.putArray(kind);
            list.addObject().put("path", "/bin/false");
            ObjectNode good = list.addObject().put("path", "/bin/sh");
            List.of("sh", "-c", "echo " + kind + " >> " + log).forEach(good.putArray("args")::add);
        }
        write(config);

        ok("create", "--bundle", bundle.toString(), "k1");
        long pid = JSON.readTree(ok("state", "k1")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            ok("start", "k1");
            assertEquals("running", status("k1"));
            ok("delete", "--force", "k1");
            child.awaitExit(Duration.ofSeconds(10));
        } finally {
            isola("delete", "--force", "k1");
        }
        assertEquals(List.of("poststart", "poststop"), Files.readAllLines(log));
        String logged = Files.readString(root.resolve("log.json"));
        assertTrue(
                logged.contains("poststart hook 0")
                        && logged.contains("poststop hook 0")
                        && logged.contains("\"level\":\"warning\""),
                logged);
        assertEquals("", ok("list", "-q"));
    }

    /**
     * As runc's, which runs them from the config it saved at create: the poststop hooks run though
     * the bundle's root has gone since (an engine may remove it before its delete). start and delete
     * read only the hooks and the cgroup path of config.json, not create's whole translation.
     */
    @Test
    void poststopHooksRunThoughTheRootHasGoneSinceCreate() throws Exception {
        Path log = root.resolve("hooks");
        ObjectNode config = config("exec sleep 1000");
        ObjectNode hook = config.putObject("hooks").putArray("poststop").addObject();
        hook.put("path", "/bin/sh");
        List.of("sh", "-c", "read state; echo \"$state\" >> " + log).forEach(hook.putArray("args")::add);
        write(config);

        ok("create", "--bundle", bundle.toString(), "h9");
        long pid = JSON.readTree(ok("state", "h9")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            ok("kill", "h9", "KILL");
            child.awaitExit(Duration.ofSeconds(10));
        }
        Files.move(bundle.resolve("rootfs"), bundle.resolve("rootfs.gone"));
        ok("delete", "h9");

        assertTrue(Files.exists(log), "the poststop hook did not run");
        assertTrue(Files.readString(log).contains("\"status\":\"stopped\""), Files.readString(log));
        assertEquals("", ok("list", "-q"));
    }

    /**
     * As runc, which saves the config at create: a config.json edited after create changes neither
     * the hooks that start and delete run as root, nor the cgroup that delete removes, nor the
     * seccomp filter of an exec'd process (whoever can write the bundle would run a program of its
     * own as root, have any empty cgroup of the host removed, and lift the filter).
     */
    @Test
    void aConfigEditedAfterCreateChangesNeitherTheHooksNorTheCgroupRemovedNorTheFilterOfAnExec() throws Exception {
        Path cgroups = Stream.of("/sys/fs/cgroup/pids", "/sys/fs/cgroup")
                .map(Path::of)
                .filter(p -> Files.isWritable(p.resolve("cgroup.procs")))
                .findFirst()
                .orElse(null);
        assumeTrue(cgroups != null, "needs a writable cgroup v1 pids or cgroup2 hierarchy");
        Path log = root.resolve("hooks");
        ObjectNode config = config("exec sleep 1000");
        ObjectNode hooks = config.putObject("hooks");
        for (String kind : List.of("poststart", "poststop")) {
            ObjectNode hook = hooks.putArray(kind).addObject().put("path", "/bin/sh");
            List.of("sh", "-c", "echo " + kind + " >> " + log).forEach(hook.putArray("args")::add);
        }
        ObjectNode seccomp = ((ObjectNode) config.get("linux")).putObject("seccomp");
        seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
        ObjectNode noMkdir = seccomp.putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO");
        noMkdir.putArray("names").add("mkdir").add("mkdirat");
        write(config);
        ok("create", "--bundle", bundle.toString(), "e1");
        Path process = root.resolve("process.json");
        ObjectNode json = JSON.createObjectNode().put("cwd", "/");
        json.putArray("args").add("sh").add("-c").add("mkdir /out/made");
        json.putArray("env").add("PATH=/bin");
        json.putObject("user").put("uid", 0).put("gid", 0);
        JSON.writeValue(process.toFile(), json);

        Path victim = Files.createDirectory(
                cgroups.resolve("isola-victim-" + ProcessHandle.current().pid()));
        try {
            for (String kind : List.of("poststart", "poststop")) {
                ((ArrayNode) hooks.get(kind).get(0).get("args")).set(2, "echo edited-" + kind + " >> " + log);
            }
            ((ObjectNode) config.get("linux")).put("cgroupsPath", "/" + victim.getFileName());
            ((ObjectNode) config.get("linux")).remove("seccomp");
            write(config);
            long pid = JSON.readTree(ok("state", "e1")).get("pid").asLong();
            try (Pidfd child = Pidfd.open(pid)) {
                ok("start", "e1");
                isola("exec", "--process", process.toString(), "e1");
                ok("delete", "--force", "e1");
                child.awaitExit(Duration.ofSeconds(10));
            }
            boolean victimLeft = Files.isDirectory(victim);
            assertAll(
                    () -> assertEquals(List.of("poststart", "poststop"), Files.readAllLines(log), "the hooks run"),
                    () -> assertTrue(victimLeft, "delete removed the cgroup that the edited config named"),
                    () -> assertFalse(
                            Files.exists(out.resolve("made")),
                            "the exec'd process ran without the container's filter"));
        } finally {
            isola("delete", "--force", "e1");
            Files.deleteIfExists(victim);
        }
    }

    @Test
    void createContainerAndStartContainerHooksRunInsideTheContainerBeforeItsProcess() throws Exception {
        ObjectNode config = config("echo process >> /out/hooks; exec sleep 1000");
        ObjectNode hooks = config.putObject("hooks");
        for (String kind : List.of("createContainer", "startContainer")) {
            ObjectNode hook = hooks.putArray(kind).addObject();
            hook.put("path", "/bin/sh"); // the container's: busybox
            ArrayNode args = hook.putArray("args");
            List.of(
                            "sh",
                            "-c",
                            "read state; echo " + kind
                                    + " $(hostname) $(readlink /proc/self/ns/pid) \"$state\" >> /out/hooks")
                    .forEach(args::add);
            hook.putArray("env").add("PATH=/bin");
        }
        write(config);
        Path log = out.resolve("hooks");

        ok("create", "--bundle", bundle.toString(), "h1");
        long pid = JSON.readTree(ok("state", "h1")).get("pid").asLong();
        String containerPidNs = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "pid"))
                .toString();
        try (Pidfd child = Pidfd.open(pid)) {
            List<String> afterCreate = Files.readAllLines(log);
            assertEquals(1, afterCreate.size(), afterCreate.toString());
            assertTrue(
                    afterCreate.get(0).startsWith("createContainer runc " + containerPidNs + " {"), afterCreate.get(0));
            assertTrue(afterCreate.get(0).contains("\"status\":\"created\""), afterCreate.get(0));

            ok("start", "h1");
            for (int i = 0; i < 100 && Files.readAllLines(log).size() < 3; i++) {
                Thread.sleep(50);
            }
            List<String> lines = Files.readAllLines(log);
            assertEquals(
                    List.of("createContainer", "startContainer", "process"),
                    lines.stream().map(l -> l.split(" ")[0]).toList());
            assertTrue(lines.get(1).startsWith("startContainer runc " + containerPidNs + " {"), lines.get(1));
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(), containerPidNs);
            ok("delete", "--force", "h1");
            child.awaitExit(Duration.ofSeconds(10));
        }
    }

    @Test
    void aFailingStartContainerHookLeavesTheContainerCreated() throws Exception {
        ObjectNode config = config("touch /out/ran");
        ObjectNode hook = config.putObject("hooks").putArray("startContainer").addObject();
        hook.put("path", "/bin/false-does-not-exist");
        write(config);
        ok("create", "--bundle", bundle.toString(), "h2");
        long pid = JSON.readTree(ok("state", "h2")).get("pid").asLong();
        try (Pidfd child = Pidfd.open(pid)) {
            assertEquals(1, isola("start", "h2"));
            assertTrue(lastErr.contains("startContainer hook 0"), lastErr);
            assertEquals("created", status("h2"));
            ok("delete", "h2");
            child.awaitExit(Duration.ofSeconds(10));
        }
        assertFalse(Files.exists(out.resolve("ran")));
    }

    @Test
    void deleteRemovesTheCgroupsMadeForTheContainerInTheCreatingProcess() throws Exception {
        ObjectNode config = config("exec sleep 1000");
        ((ObjectNode) config.get("linux"))
                .putObject("resources")
                .putObject("pids")
                .put("limit", 64);
        write(config);

        ok("create", "--bundle", bundle.toString(), "g1");
        long pid = JSON.readTree(ok("state", "g1")).get("pid").asLong();
        List<Path> made = cgroupsMadeFor(pid);
        assertFalse(made.isEmpty(), "the container got no cgroup of its own");
        try (Pidfd child = Pidfd.open(pid)) {
            ok("kill", "g1", "KILL");
            child.awaitExit(Duration.ofSeconds(10)); // reaped here, as the engine's subreaper would
        }
        ok("delete", "g1");

        assertEquals(List.of(), made.stream().filter(Files::exists).toList());
    }

    /**
     * As runc's: a frozen process does not die of SIGKILL until it is thawed, so delete -f thaws it.
     * The cgroup is named as podman names it (libpod-ID), which pause takes as the container's.
     */
    @Test
    void deleteForceKillsAPausedContainerAndRemovesItsCgroups() throws Exception {
        ObjectNode config = config("exec sleep 1000");
        ((ObjectNode) config.get("linux")).put("cgroupsPath", "/isola-oci-test/libpod-p1");
        write(config);
        ok("create", "--bundle", bundle.toString(), "p1");
        long pid = JSON.readTree(ok("state", "p1")).get("pid").asLong();
        List<Path> made = cgroupsMadeFor(pid);
        try (Pidfd child = Pidfd.open(pid)) {
            ok("start", "p1");
            ok("pause", "p1");
            assertEquals("paused", status("p1"));

            ok("delete", "--force", "p1");

            assertNotNull(child.awaitExit(Duration.ZERO), "the container's process is dead when delete returns");
            assertEquals(List.of(), made.stream().filter(Files::exists).toList());
            assertEquals("", ok("list", "-q"));
        } finally {
            isola("delete", "--force", "p1"); // after a failure: nothing may outlive the test
            for (Path dir : made) {
                try {
                    Files.deleteIfExists(dir);
                    Files.deleteIfExists(dir.getParent()); // the /isola-oci-test parent
                } catch (IOException e) {
                    System.err.println("left behind: " + e); // what failed above is the test's report
                }
            }
        }
    }

    /** The cgroup directories of {@code pid} that differ from this JVM's, in every hierarchy. */
    private static List<Path> cgroupsMadeFor(long pid) throws Exception {
        List<String> own = Files.readAllLines(Path.of("/proc/self/cgroup"));
        List<Path> made = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            if (own.contains(line)) {
                continue;
            }
            String[] parts = line.split(":", 3);
            Path mount = !parts[1].isEmpty()
                    ? Path.of("/sys/fs/cgroup", parts[1].replace("name=", ""))
                    : Files.isDirectory(Path.of("/sys/fs/cgroup/unified"))
                            ? Path.of("/sys/fs/cgroup/unified")
                            : Path.of("/sys/fs/cgroup");
            Path dir = Path.of(mount + parts[2]);
            if (Files.isDirectory(dir)) {
                made.add(dir);
            }
        }
        return made;
    }

    @Test
    void aTerminalIsOpenedInsideTheContainerAndItsMasterSentToTheConsoleSocket() throws Exception {
        ObjectNode config = config("tty; busybox stty size; echo done");
        ((ObjectNode) config.get("process")).put("terminal", true);
        ((ObjectNode) config.get("process"))
                .putObject("consoleSize")
                .put("height", 33)
                .put("width", 101); // as Docker's -t
        write(config);
        try (ConsoleSocketServer console = new ConsoleSocketServer(root.resolve("console.sock"))) {
            ok(
                    "create",
                    "--bundle",
                    bundle.toString(),
                    "--console-socket",
                    console.path().toString(),
                    "t1");
            ConsoleSocketServer.Received master = console.receive(); // queued by create: no second thread needed
            long pid = JSON.readTree(ok("state", "t1")).get("pid").asLong();
            assertEquals("/dev/ptmx", master.name());
            try (Pidfd child = Pidfd.open(pid);
                    FdInputStream terminal = new FdInputStream(master.fd())) {
                ok("start", "t1");
                String seen = readUntil(terminal, "done");
                assertTrue(seen.startsWith("/dev/pts/0"), "tty inside said: " + seen);
                assertTrue(seen.contains("33 101"), "the consoleSize: " + seen);
                assertEquals(0, child.awaitExit(Duration.ofSeconds(10)).exitCode());
            }
        }
        ok("delete", "t1");
    }

    /** An engine's exec with a terminal: conmon's --tty --console-socket S --process F, and runc's -t --console-socket S ID CMD. */
    @Test
    void anExecsTerminalGoesToTheConsoleSocket() throws Exception {
        write(config("exec sleep 1000"));
        ok("create", "--bundle", bundle.toString(), "e1");
        long pid = JSON.readTree(ok("state", "e1")).get("pid").asLong();
        Path process = root.resolve("process.json");
        ObjectNode json = JSON.createObjectNode().put("terminal", true).put("cwd", "/");
        json.putArray("args").add("sh").add("-c").add("tty; echo exec-done");
        json.putArray("env").add("PATH=/bin");
        json.putObject("user").put("uid", 0).put("gid", 0);
        JSON.writeValue(process.toFile(), json);
        try (Pidfd child = Pidfd.open(pid);
                ConsoleSocketServer console = new ConsoleSocketServer(root.resolve("exec.sock"))) {
            ok("start", "e1");
            List<List<String>> forms = List.of(
                    List.of(
                            "exec",
                            "--tty",
                            "--console-socket",
                            console.path().toString(),
                            "--process",
                            process.toString(),
                            "e1"),
                    List.of(
                            "exec",
                            "-t",
                            "--console-socket",
                            console.path().toString(),
                            "e1",
                            "sh",
                            "-c",
                            "tty; echo exec-done"));
            for (List<String> form : forms) {
                CompletableFuture<Integer> exec =
                        CompletableFuture.supplyAsync(() -> isola(form.toArray(String[]::new)));
                ConsoleSocketServer.Received master = console.receive();
                try (FdInputStream terminal = new FdInputStream(master.fd())) {
                    String seen = readUntil(terminal, "exec-done");
                    assertTrue(seen.startsWith("/dev/pts/"), form + ": tty inside said: " + seen);
                    // the master stays open until the process is gone, as with an engine: closed, it hangs the process
                    // up
                    assertEquals(0, exec.get(30, TimeUnit.SECONDS), () -> form + ": " + lastErr);
                }
            }
            ok("delete", "--force", "e1");
            assertNotNull(child.awaitExit(Duration.ofSeconds(10))); // reaped, as the engine's subreaper would
        } finally {
            isola("delete", "--force", "e1"); // after a failure: nothing may outlive the test
        }
    }

    @Test
    void aTerminalNeedsAConsoleSocketAndAConsoleSocketNeedsATerminal() throws Exception {
        ObjectNode plain = config("true"); // config() edits the file on disk: take both before writing
        ObjectNode config = plain.deepCopy();
        ((ObjectNode) config.get("process")).put("terminal", true);
        write(config);
        assertEquals(1, isola("create", "--bundle", bundle.toString(), "t2"));
        assertTrue(lastErr.contains("--console-socket"), lastErr);

        write(plain);
        assertEquals(
                1,
                isola(
                        "create",
                        "--bundle",
                        bundle.toString(),
                        "--console-socket",
                        root.resolve("none").toString(),
                        "t2"));
        assertTrue(lastErr.contains("process.terminal"), lastErr);

        write(config);
        assertEquals(
                1,
                isola(
                        "create",
                        "--bundle",
                        bundle.toString(),
                        "--console-socket",
                        root.resolve("none").toString(),
                        "t2"));
        assertTrue(lastErr.contains("cannot connect"), lastErr);
        assertEquals("", ok("list", "-q"), "a refused create left state behind");
    }

    @Test
    void preservedFdsReachTheContainerUnderTheirNumbers() throws Exception {
        int[] pipe = preservedPipe("p1");
        try (FdInputStream read = new FdInputStream(pipe[0])) {
            long pid = JSON.readTree(ok("state", "p1")).get("pid").asLong();
            try (Pidfd child = Pidfd.open(pid)) {
                ok("start", "p1");
                assertEquals(0, child.awaitExit(Duration.ofSeconds(10)).exitCode());
            }
            Fds.closeQuietly(pipe[1]);
            assertEquals("kept\n", new String(read.readAllBytes(), UTF_8));
            assertEquals("ok", Files.readString(out.resolve("ok")).strip(), "an fd past the preserved ones was open");
        }
        ok("delete", "p1");

        assertEquals(1, isola("create", "--bundle", bundle.toString(), "--preserve-fds", "1000", "p2"));
        assertTrue(lastErr.contains("is not open"), lastErr);
    }

    /**
     * A pipe whose write end is the highest fd of this JVM, and container {@code id} created with
     * every fd from 3 up to it preserved. This JVM closes some fds of its own late (a Cleaner
     * after a GC: a zip file, a stream), which can leave a gap below the pipe between its making
     * and the create's check: those are flushed first, and the create tried again (at most three
     * times) when one still came.
     */
    private int[] preservedPipe(String id) throws Exception {
        ObjectNode base = config("true"); // config() edits the file on disk: once
        for (int attempt = 1; ; attempt++) {
            System.gc();
            settleFds();
            int[] pipe = Fds.pipe();
            int fd = pipe[1];
            ObjectNode config = base.deepCopy();
            ArrayNode args = ((ObjectNode) config.get("process")).putArray("args");
            List.of(
                            "sh",
                            "-c",
                            "echo kept > /proc/self/fd/" + fd + " && test ! -e /proc/self/fd/" + (fd + 1)
                                    + " && echo ok > /out/ok")
                    .forEach(args::add);
            write(config);
            if (isola("create", "--bundle", bundle.toString(), "--preserve-fds", Integer.toString(fd - 2), id) == 0) {
                return pipe;
            }
            Fds.closeQuietly(pipe[0]);
            Fds.closeQuietly(pipe[1]);
            assertTrue(attempt < 3 && lastErr.contains("is not open in this process"), lastErr);
        }
    }

    /**
     * Waits (at most 5 s) until this JVM's open fds stop changing: the created container's host
     * side lets go of its fds after the container ended, and a later test that passes fds 3 to N
     * (preserve-fds) must not see one of them closed under it.
     */
    private static void settleFds() throws Exception {
        long last = -1;
        for (int i = 0, stable = 0; i < 50 && stable < 3; i++) {
            long now;
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                now = fds.count();
            }
            stable = now == last ? stable + 1 : 0;
            last = now;
            Thread.sleep(100);
        }
    }

    /** Reads a terminal until {@code marker} appears, or it ends (EIO once the last slave closes). */
    private static String readUntil(FdInputStream terminal, String marker) {
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[256];
        try {
            int n;
            while (!seen.toString().contains(marker) && (n = terminal.read(buffer, 0, buffer.length)) > 0) {
                seen.append(new String(buffer, 0, n, UTF_8));
            }
        } catch (IOException e) {
            // EIO: the container closed its end
        }
        return seen.toString();
    }
}
