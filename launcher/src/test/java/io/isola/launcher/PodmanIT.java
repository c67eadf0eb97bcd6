package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * podman drives isola as its OCI runtime ({@code podman --runtime ISOLA run --rm IMAGE CMD}):
 * the config.json podman writes (capabilities, rlimits, seccomp, sysctls, a network namespace to
 * join by path, cgroupsPath, masked paths, bind mounts with flags) is translated, the container
 * runs, podman gets its output and exit code, and isola's error when it cannot start.
 *
 * <p>The image is made here from busybox-static with {@code podman import}; nothing is pulled.
 * podman keeps all its state (storage, run root, tmp dir) under a
 * temporary directory, with the vfs driver (no mounts of its own); the containers join a network
 * namespace this test makes ({@code --network ns:PATH}, which podman passes as a namespace path),
 * so the host's podman state and network stay as they were. (An empty network namespace of the
 * container's own, {@code --network none}, needs the ns-net bundle, which this module's tests do
 * not install.) isola keeps its container state in its default root: podman 4.3 does not pass its
 * {@code --runtime-flag}s to the {@code delete} its cleanup makes, so a state root given that way
 * would not be found there.
 *
 * <p>The runtime is this build's CLI (the same {@code Main} that the distribution's
 * {@code bin/isola} starts) behind a small script, since the distribution is packaged after this
 * module; {@code -Disola.runtime=PATH} runs another, such as {@code dist/target/isola/bin/isola}.
 *
 * <p>On a host without {@code CAP_SYS_RESOURCE} podman's default rlimits (nofile 1048576) are
 * above the hard limit: the runs pass {@code --ulimit nofile=1024:1024 --ulimit nproc=1024:1024}.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PodmanIT {

    private static final String IMAGE = "localhost/isola-podman-it";
    private static final List<String> ULIMITS = List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");

    @TempDir
    Path dir;

    private Path runtime;
    private Path runtimeWithNet;
    private String netns;
    private String lastErr = "";

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require();
        assumeTrue(onPath("podman"), "podman is not installed (scripts/setup-debian.sh podman installs it)");
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "the image is made from busybox-static; install it");
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        for (String applet :
                List.of("sh", "echo", "cat", "true", "sleep", "httpd", "wget", "hostname", "readlink", "mkdir")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        // a pod's infra container runs this, as podman's own pause image runs catatonit
        Files.writeString(rootfs.resolve("pause"), "#!/bin/sh\ntrap 'exit 0' TERM\nsleep 100000 &\nwait\n");
        Files.setPosixFilePermissions(rootfs.resolve("pause"), PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : List.of("proc", "sys", "dev", "etc", "tmp")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Path tar = dir.resolve("rootfs.tar");
        assertEquals(0, run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")).code, lastErr);
        runtime = runtime(System.getProperty("isola.bundles"), "isola");
        // the ulimits of the runs, for the pod's infra container, which podman starts with its defaults
        Files.writeString(
                dir.resolve("containers.conf"),
                "[containers]\ndefault_ulimits = [\"nofile=1024:1024\"," + " \"nproc=1024:1024\"]\n");
        assumeTrue(onPath("ip"), "the test's network namespace is made with ip netns; install iproute2");
        String name = "isola-podman-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
        assertEquals(0, run(List.of("ip", "netns", "add", name)).code, () -> "ip netns add: " + lastErr);
        netns = name;
        Result imported = podman("import", tar.toString(), IMAGE);
        assertEquals(0, imported.code, () -> "podman import: " + lastErr);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (runtime == null) {
            return;
        }
        if (netns != null) {
            run(List.of("ip", "netns", "del", netns));
        }
        podman("pod", "rm", "--all", "--force", "--time", "0");
        podman("rm", "--all", "--force");
        podman("rmi", "--all", "--force");
        // whatever podman still has mounted below the temporary directory (container shm), before it goes
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" ")[4])
                .filter(point -> point.startsWith(dir.toString()))
                .sorted((a, b) -> b.length() - a.length())
                .collect(Collectors.toList());
        for (String point : mounts) {
            run(List.of("umount", "-l", point));
        }
    }

    @Test
    void echoHelloPrintsHelloAndExitsZero() throws Exception {
        Result result = podmanRun("echo", "hello");
        assertEquals(0, result.code, () -> "podman run: " + lastErr);
        assertEquals("hello\n", result.out);
        assertEquals(List.of(), leftCgroups(), "a container's cgroup is left after podman run --rm");
    }

    @Test
    void theContainersExitCodeReachesPodman() throws Exception {
        Result result = podmanRun("sh", "-c", "exit 3");
        assertEquals(3, result.code, () -> "podman run: " + lastErr);
    }

    @Test
    void theContainerGetsWhatPodmansConfigAsks() throws Exception {
        Result result = podmanRun(
                "sh",
                "-c",
                "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status;"
                        + " cat /proc/sys/net/ipv4/ping_group_range; umask;"
                        // podman lists no cgroup namespace on a v1 host: the container's cgroup is then its path in the
                        // host's tree
                        + " cat /sys/fs/cgroup/pids$(grep -E '^[0-9]+:pids:' /proc/self/cgroup | cut -d: -f3)/pids.max 2>/dev/null"
                        + " || cat /sys/fs/cgroup/pids.max");
        assertEquals(0, result.code, () -> "podman run: " + lastErr);
        List<String> lines = result.out
                .lines()
                .map(line -> line.replaceAll("\\s+", " ").strip())
                .toList();
        // podman's 11 default capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID
        // SETPCAP SETUID SYS_CHROOT
        assertEquals(
                List.of("CapEff: 00000000800405fb", "NoNewPrivs: 0", "Seccomp: 2", "0 0", "0022", "2048"),
                lines,
                "capabilities, no_new_privs off, seccomp filter, sysctl net.ipv4.ping_group_range, umask, pids limit");
    }

    @Test
    void aContainerThatCannotStartShowsIsolasErrorThroughPodman() throws Exception {
        Result result = podmanRun("no-such-command");
        // isola's create fails as runc's does, in runc's words, which podman reports as 127
        assertEquals(127, result.code, lastErr);
        assertTrue(lastErr.contains("exec: \"no-such-command\": executable file not found in $PATH"), lastErr);
        assertEquals(List.of(), leftCgroups(), "a failed container's cgroup is left");
    }

    @Test
    void anImageThatIsolaSavedLoadsAndRunsInPodman() throws Exception {
        Path saved = dir.resolve("saved.tar");
        System.setProperty("isola.root", dir.resolve("isola-store").toString());
        try {
            Path archive = ImageArchives.dockerSave(dir.resolve("in.tar"), "test/saved:1", false);
            StringWriter err = new StringWriter();
            PrintWriter sink = new PrintWriter(err, true);
            assertEquals(
                    0, Main.execute(new String[] {"image", "import", archive.toString()}, sink, sink), err::toString);
            assertEquals(
                    0,
                    Main.execute(new String[] {"save", "-o", saved.toString(), "test/saved:1"}, sink, sink),
                    err::toString);
        } finally {
            System.clearProperty("isola.root");
        }
        Result loaded = podman("load", "-i", saved.toString());
        assertEquals(0, loaded.code, () -> "podman load: " + lastErr);
        String name = loaded.out
                .lines()
                .filter(line -> line.startsWith("Loaded image"))
                .map(line -> line.replaceFirst("^[^:]*: *", ""))
                .findFirst()
                .orElseThrow(() -> new AssertionError("podman load: " + loaded.out));
        assertTrue(name.endsWith("test/saved:1"), name);
        // --pull never: no test reaches a registry off this machine
        List<String> args = new ArrayList<>(List.of(
                "--runtime",
                runtime.toString(),
                "run",
                "--rm",
                "--pull",
                "never",
                "--network",
                "ns:/run/netns/" + netns));
        args.addAll(ULIMITS);
        args.addAll(List.of(name, "/bin/sh", "-c", "cat /etc/upper; test -e /etc/gone || echo gone; ls /dir"));
        Result result = podman(args.toArray(String[]::new));
        assertEquals(0, result.code, () -> "podman run: " + lastErr);
        assertEquals("upper\ngone\nnew\n", result.out, "the layers with their whiteouts and opaque directory");
    }

    /**
     * {@code podman pod create} and two {@code podman run --pod}: podman's infra container makes
     * the pod's net, IPC and UTS namespaces (a network namespace of its own, {@code --network
     * none}), which each container joins by path with a PID namespace of its own; they share
     * localhost and the pod's hostname, and {@code podman pod rm -f} leaves nothing of them.
     */
    @Test
    void aPodsContainersShareLocalhostAndHostnameAndPodRmLeavesNothing() throws Exception {
        String ids = "hostname; for n in net ipc uts pid; do readlink /proc/self/ns/$n; done";
        Result pod = podmanWithNet(
                "pod",
                "create",
                "--name",
                "isola-pod",
                "--hostname",
                "pod-host",
                "--network",
                "none",
                "--infra-image",
                IMAGE,
                "--infra-command",
                "/pause");
        assertEquals(0, pod.code, () -> "podman pod create: " + lastErr);
        Result web = podmanWithNet(
                "run",
                "-d",
                "--pod",
                "isola-pod",
                IMAGE,
                "sh",
                "-c",
                "mkdir -p /tmp/w && { " + ids + "; } >/tmp/w/id && exec httpd -f -p 127.0.0.1:8080 -h /tmp/w");
        assertEquals(0, web.code, () -> "podman run -d --pod: " + lastErr);
        Result client = podmanWithNet(
                "run",
                "--rm",
                "--pod",
                "isola-pod",
                IMAGE,
                "sh",
                "-c",
                ids
                        + "; i=0; until wget -qO- http://127.0.0.1:8080/id; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done");
        assertEquals(0, client.code, () -> "podman run --rm --pod: " + lastErr);
        List<String> lines = client.out.lines().toList();
        assertEquals(10, lines.size(), client.out);
        List<String> own = lines.subList(0, 5), served = lines.subList(5, 10);
        assertEquals("pod-host", own.get(0), client.out);
        assertEquals(
                served.subList(0, 4),
                own.subList(0, 4),
                "hostname, net, IPC and UTS namespaces are the pod's: " + client.out);
        assertTrue(!own.get(4).equals(served.get(4)), "each container has a PID namespace of its own: " + client.out);
        String infraPid = podmanWithNet("pod", "inspect", "--format", "{{.InfraContainerID}}", "isola-pod")
                .out
                .strip();
        String pid = podmanWithNet("inspect", "--format", "{{.State.Pid}}", infraPid)
                .out
                .strip();
        assertEquals(
                Files.readSymbolicLink(Path.of("/proc", pid, "ns/net")).toString(),
                own.get(1),
                "the infra container's network");
        String podId = podmanWithNet("pod", "inspect", "--format", "{{.ID}}", "isola-pod")
                .out
                .strip();
        List<String> containers = podmanWithNet("ps", "--all", "--no-trunc", "--quiet", "--pod")
                .out
                .lines()
                .toList();
        assertEquals(2, containers.size(), "infra and web: " + containers);

        Result removed = podmanWithNet("pod", "rm", "--force", "--time", "0", "isola-pod");
        assertEquals(0, removed.code, () -> "podman pod rm -f: " + lastErr);
        assertEquals(List.of(), podLeftovers(podId, containers), "what the pod's containers left");
    }

    /**
     * The pod's containers' cgroups (libpod-ID below the pod's), mounts and isola state named
     * after them, and the pod's cgroup in the v1 controllers' hierarchies. Left out: the pod's
     * empty directory in the name=systemd and the hybrid cgroup v2 (unified) hierarchies, which
     * podman 4.3 leaves with runc too (it removes the pod's cgroup from the v1 controllers only);
     * removed here.
     */
    private static List<String> podLeftovers(String podId, List<String> containers) throws IOException {
        List<String> left = new ArrayList<>();
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path pod = hierarchy.resolve("libpod_parent").resolve(podId);
                if (!Files.isDirectory(pod)) {
                    continue;
                }
                try (var children = Files.list(pod)) {
                    children.filter(Files::isDirectory).forEach(c -> left.add(c.toString()));
                }
                if (List.of("systemd", "unified")
                        .contains(hierarchy.getFileName().toString())) {
                    Files.deleteIfExists(pod);
                } else {
                    left.add(pod.toString());
                }
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (containers.stream().anyMatch(line::contains)) {
                left.add("mount " + line.split(" ")[4]);
            }
        }
        for (String id : containers) {
            if (Files.exists(Path.of("/run/isola", id))) {
                left.add("state /run/isola/" + id);
            }
        }
        return left;
    }

    private Result podmanRun(String... command) throws Exception {
        return podmanRunWith(List.of("--network", "ns:/run/netns/" + netns), command);
    }

    private Result podmanRunWith(List<String> options, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("--runtime", runtime.toString(), "run", "--rm"));
        args.addAll(options);
        args.addAll(ULIMITS);
        args.add(IMAGE);
        args.addAll(List.of(command));
        return podman(args.toArray(String[]::new));
    }

    private Result podman(String... args) throws Exception {
        return podman(false, args);
    }

    /**
     * podman; with {@code infraUlimits} under a containers.conf of the test's that gives the runs'
     * ulimits as defaults, for the pod's infra container, which takes no --ulimit. (Only then: that
     * file replaces the distribution's, whose defaults, capabilities and sysctls among them, the
     * other cases assert.)
     */
    private Result podman(boolean infraUlimits, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "podman",
                "--root",
                dir.resolve("storage").toString(),
                "--runroot",
                dir.resolve("run").toString(),
                "--tmpdir",
                dir.resolve("tmp").toString(),
                "--storage-driver",
                "vfs",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "file"));
        command.addAll(List.of(args));
        return run(command, infraUlimits);
    }

    /** podman with this build's isola as the runtime, with the ns-net bundle: a pod's network namespace is the runtime's to make. */
    private Result podmanWithNet(String... args) throws Exception {
        if (runtimeWithNet == null) {
            runtimeWithNet = runtime(
                    NetBundle.added(Path.of(System.getProperty("isola.bundles")), dir.resolve("bundles"))
                            .toString(),
                    "isola-net");
        }
        List<String> command = new ArrayList<>(List.of("--runtime", runtimeWithNet.toString()));
        command.addAll(List.of(args));
        return podman(true, command.toArray(String[]::new));
    }

    /** The cgroups podman's containers had (libpod-ID below libpod_parent), still there. */
    private static List<String> leftCgroups() throws IOException {
        List<String> left = new ArrayList<>();
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.resolve("libpod_parent");
                if (Files.isDirectory(parent)) {
                    try (var children = Files.list(parent)) {
                        children.filter(c -> c.getFileName().toString().startsWith("libpod-"))
                                .forEach(c -> left.add(c.toString()));
                    }
                }
            }
        }
        return left;
    }

    /** This build's CLI behind a script named {@code name}, with the bundles given, or the one {@code -Disola.runtime} names. */
    private Path runtime(String bundles, String name) throws IOException {
        String given = System.getProperty("isola.runtime");
        if (given != null && !given.isBlank()) {
            return Path.of(given).toAbsolutePath();
        }
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(List.of(
                java,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Disola.bundles=" + bundles,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        String script = "#!/bin/sh\nexec "
                + command.stream().map(PodmanIT::quoted).collect(Collectors.joining(" ")) + " \"$@\"\n";
        Path file = dir.resolve(name);
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private record Result(int code, String out) {}

    private Result run(List<String> command) throws Exception {
        return run(command, false);
    }

    private Result run(List<String> command, boolean infraUlimits) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (infraUlimits) {
            builder.environment()
                    .put("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
        }
        Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        if (!process.waitFor(240, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        lastErr = err.join();
        return new Result(process.exitValue(), out);
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean onPath(String program) {
        for (String entry :
                System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }
}
