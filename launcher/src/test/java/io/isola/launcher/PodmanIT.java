package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
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
        for (String applet : List.of("sh", "echo", "cat", "true")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String d : List.of("proc", "sys", "dev", "etc", "tmp")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Path tar = dir.resolve("rootfs.tar");
        assertEquals(0, run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")).code, lastErr);
        runtime = runtime();
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
        podman("rm", "--all", "--force");
        podman("rmi", "--all", "--force");
        // whatever podman still has mounted below the temporary directory (container shm), before it goes
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" ")[4]).filter(point -> point.startsWith(dir.toString()))
                .sorted((a, b) -> b.length() - a.length()).collect(Collectors.toList());
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
        Result result = podmanRun("sh", "-c", "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status;"
                + " cat /proc/sys/net/ipv4/ping_group_range; umask;"
                // podman lists no cgroup namespace on a v1 host: the container's cgroup is then its path in the host's tree
                + " cat /sys/fs/cgroup/pids$(grep -E '^[0-9]+:pids:' /proc/self/cgroup | cut -d: -f3)/pids.max 2>/dev/null"
                + " || cat /sys/fs/cgroup/pids.max");
        assertEquals(0, result.code, () -> "podman run: " + lastErr);
        List<String> lines = result.out.lines().map(line -> line.replaceAll("\\s+", " ").strip()).toList();
        // podman's 11 default capabilities: CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT
        assertEquals(List.of("CapEff: 00000000800405fb", "NoNewPrivs: 0", "Seccomp: 2", "0 0", "0022", "2048"), lines,
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
            Path archive = io.isola.launcher.image.ImageArchives.dockerSave(dir.resolve("in.tar"), "test/saved:1", false);
            java.io.StringWriter err = new java.io.StringWriter();
            java.io.PrintWriter sink = new java.io.PrintWriter(err, true);
            assertEquals(0, Main.execute(new String[] {"image", "import", archive.toString()}, sink, sink), err::toString);
            assertEquals(0, Main.execute(new String[] {"save", "-o", saved.toString(), "test/saved:1"}, sink, sink), err::toString);
        } finally {
            System.clearProperty("isola.root");
        }
        Result loaded = podman("load", "-i", saved.toString());
        assertEquals(0, loaded.code, () -> "podman load: " + lastErr);
        String name = loaded.out.lines().filter(line -> line.startsWith("Loaded image")).map(line -> line.replaceFirst("^[^:]*: *", ""))
                .findFirst().orElseThrow(() -> new AssertionError("podman load: " + loaded.out));
        assertTrue(name.endsWith("test/saved:1"), name);
        // --pull never: no test reaches a registry off this machine
        List<String> args = new ArrayList<>(List.of("--runtime", runtime.toString(), "run", "--rm", "--pull", "never",
                "--network", "ns:/run/netns/" + netns));
        args.addAll(ULIMITS);
        args.addAll(List.of(name, "/bin/sh", "-c", "cat /etc/upper; test -e /etc/gone || echo gone; ls /dir"));
        Result result = podman(args.toArray(String[]::new));
        assertEquals(0, result.code, () -> "podman run: " + lastErr);
        assertEquals("upper\ngone\nnew\n", result.out, "the layers with their whiteouts and opaque directory");
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
        List<String> command = new ArrayList<>(List.of("podman", "--root", dir.resolve("storage").toString(),
                "--runroot", dir.resolve("run").toString(), "--tmpdir", dir.resolve("tmp").toString(),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file"));
        command.addAll(List.of(args));
        return run(command);
    }

    /** The cgroups podman's containers had (libpod-ID below libpod_parent), still there. */
    private static List<String> leftCgroups() throws IOException {
        List<String> left = new ArrayList<>();
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.resolve("libpod_parent");
                if (Files.isDirectory(parent)) {
                    try (var children = Files.list(parent)) {
                        children.filter(c -> c.getFileName().toString().startsWith("libpod-")).forEach(c -> left.add(c.toString()));
                    }
                }
            }
        }
        return left;
    }

    /** This build's CLI behind a script, or the one {@code -Disola.runtime} names. */
    private Path runtime() throws IOException {
        String given = System.getProperty("isola.runtime");
        if (given != null && !given.isBlank()) {
            return Path.of(given).toAbsolutePath();
        }
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Disola.bundles=" + System.getProperty("isola.bundles"), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        String script = "#!/bin/sh\nexec " + command.stream().map(PodmanIT::quoted).collect(Collectors.joining(" "))
                + " \"$@\"\n";
        Path file = dir.resolve("isola");
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private record Result(int code, String out) {}

    private Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
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
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }
}
