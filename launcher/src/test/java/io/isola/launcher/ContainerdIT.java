package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * containerd drives isola as its runc: a containerd of the test's own (own root, state, socket
 * and config under a temp dir; never the system's) imports a busybox image that the test writes
 * as an OCI archive (nothing is pulled), and {@code ctr run --runc-binary isola} runs it. The
 * runtime binary is the distribution's when {@code -Disola.binary} names it, else a script that
 * runs this class path's {@link Main}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ContainerdIT {

    private static final String IMAGE = "isola.test/busybox:latest", NAMESPACE = "isola-it";

    private static Path dir;
    private static Process containerd;
    private static Path runtime;
    private static boolean runContainerdExisted;

    @BeforeAll
    static void startContainerd() throws Exception {
        RootOnly.require();
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "the image is made from busybox-static; install it");
        assumeTrue(installed() || install(), "containerd is not installed and apt-get could not install it");
        runContainerdExisted = Files.exists(Path.of("/run/containerd"));
        dir = Files.createTempDirectory(Path.of("/tmp"), "isola-ctr"); // short: socket paths have 107 bytes
        runtime = runtimeBinary();
        Path config = dir.resolve("config.toml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "version = 2",
                        "root = \"" + dir.resolve("root") + "\"",
                        "state = \"" + dir.resolve("state") + "\"",
                        "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]",
                        "[grpc]",
                        "  address = \"" + socket() + "\"",
                        "[ttrpc]",
                        "  address = \"" + socket() + ".ttrpc\"",
                        "[plugins.\"io.containerd.internal.v1.opt\"]",
                        "  path = \"" + dir.resolve("opt") + "\"",
                        ""));
        containerd = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("containerd.log").toFile())
                .start();
        for (int i = 0; i < 300 && !Files.exists(socket()); i++) {
            assertTrue(containerd.isAlive(), () -> "containerd exited: " + log());
            Thread.sleep(100);
        }
        assertTrue(Files.exists(socket()), () -> "containerd did not serve within 30 s: " + log());
        Path archive = BusyboxOciArchive.write(dir.resolve("image"));
        Result imported = ctr("images", "import", "--base-name", "isola.test/busybox", archive.toString());
        assertEquals(0, imported.code(), imported::output);
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (containerd != null) {
            for (String id : List.of(
                    "hello",
                    "three",
                    "missing",
                    "tty",
                    "sleeper",
                    "pod-client",
                    "pod-web",
                    "pod-userns-app",
                    "pod-sandbox")) {
                ctr("tasks", "delete", "--force", id);
                ctr("containers", "delete", id);
            }
            ctr("images", "remove", IMAGE);
            containerd.destroy();
            if (!containerd.waitFor(20, TimeUnit.SECONDS)) {
                containerd.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
        removeEmpty(); // containerd's own directories and the parent cgroup of its namespace, if nothing else uses them
        if (dir != null) {
            unmountUnder(dir);
            new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString())
                    .inheritIO()
                    .start()
                    .waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * What this containerd made outside the temp dir and leaves behind, when empty: the parent
     * cgroup of its namespace (as runc does, delete removes only the container's own) and, if they
     * were not there before, the shim directories containerd 1.6 keeps under /run/containerd.
     */
    private static void removeEmpty() throws IOException {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                rmdir(hierarchy.resolve(NAMESPACE));
            }
        }
        if (!runContainerdExisted) {
            for (String left : List.of("/run/containerd/fifo", "/run/containerd/s", "/run/containerd")) {
                rmdir(Path.of(left));
            }
        }
    }

    private static void rmdir(Path dir) {
        try {
            Files.deleteIfExists(dir); // rmdir: only an empty directory (or childless, process-less cgroup) goes
        } catch (IOException e) {
            // in use by someone else: theirs to keep
        }
    }

    @Test
    void ctrRunsEchoThroughIsola() throws Exception {
        Result run = run("hello", "echo", "hello");

        assertEquals(0, run.code(), run::output);
        assertEquals("hello", run.output().strip());
    }

    @Test
    void theContainersExitCodeComesBack() throws Exception {
        Result run = run("three", "sh", "-c", "exit 3");

        assertEquals(3, run.code(), run::output);
    }

    @Test
    void isolasErrorReachesCtr() throws Exception {
        Result run = run("missing", "/no/such/command");

        assertNotEquals(0, run.code());
        // at create, in runc's words, as containerd shows runc's
        assertTrue(
                run.output().contains("OCI runtime create failed")
                        && run.output()
                                .contains(
                                        "exec: \"/no/such/command\": stat /no/such/command: no such file or directory"),
                "isola's error (from its --log) is not in ctr's: " + run.output());
    }

    @Test
    void aTerminalFromCtrIsOpenedInsideTheContainer() throws Exception {
        Result run = onTerminal(
                "run",
                "--rm",
                "-t",
                "--runc-binary",
                runtime.toString(),
                "--runc-root",
                dir.resolve("runc").toString(),
                IMAGE,
                "tty",
                "tty");

        assertEquals(0, run.code(), run::output);
        assertTrue(run.output().contains("/dev/pts/0"), run.output());
    }

    @Test
    void ctrExecRunsInTheRunningContainer() throws Exception {
        Result started = ctr(
                "run",
                "-d",
                "--runc-binary",
                runtime.toString(),
                "--runc-root",
                dir.resolve("runc").toString(),
                IMAGE,
                "sleeper",
                "sleep",
                "1000");
        assertEquals(0, started.code(), started::output);

        Result exec = ctr("tasks", "exec", "--exec-id", "e1", "sleeper", "sh", "-c", "echo pid $$; exit 4");
        assertEquals(4, exec.code(), exec::output);
        assertEquals("pid 2", exec.output().strip(), "not the second process of the container's PID namespace");
        Result tty = onTerminal("tasks", "exec", "-t", "--exec-id", "e2", "sleeper", "tty");
        assertTrue(tty.output().contains("/dev/pts/0"), tty.output());
        Result ps = ctr("tasks", "ps", "sleeper");
        assertEquals(0, ps.code(), ps::output);

        assertEquals(0, ctr("tasks", "delete", "--force", "sleeper").code());
        assertEquals(0, ctr("containers", "delete", "sleeper").code());
    }

    /**
     * A pod as Kubernetes' CRI plugin builds one: the sandbox from a spec file (containerd's
     * default spec with the pod's hostname and cgroup, as the CRI plugin writes it) with new net,
     * IPC and UTS namespaces, the network plumbed as CNI would (a veth into the sandbox's
     * namespace); two app containers from ctr's options that join those three by path, each with
     * a PID namespace of its own. The server is reached from the other app on 127.0.0.1 and from
     * the host through the veth; the pod is torn down with nothing left behind.
     */
    @Test
    void aPodSharesLocalhostHostnameAndNamespacesAndLeavesNothing() throws Exception {
        PodSandbox pod = PodSandbox.start(ContainerdIT::ctr, runtimeOptions(), dir, dir.resolve("image/rootfs"));
        Result web = ctrRun(
                pod.appOptions("pod-web"),
                "-d",
                "pod-web",
                "sh",
                "-c",
                "mkdir -p /tmp/w && { hostname; readlink /proc/self/ns/pid; } >/tmp/w/id && exec httpd -f -p 8080 -h /tmp/w");
        assertEquals(0, web.code(), web::output);
        // the server may take a moment to listen: the client retries, bounded
        Result client = ctrRun(
                pod.appOptions("pod-client"),
                "--rm",
                "pod-client",
                "sh",
                "-c",
                "hostname; for n in net ipc uts pid; do readlink /proc/self/ns/$n; done;"
                        + " i=0; until wget -qO- http://127.0.0.1:8080/id; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done");
        assertEquals(0, client.code(), client::output);
        List<String> seen = client.output().lines().toList();
        assertEquals(
                List.of("pod-host", pod.namespace("net"), pod.namespace("ipc"), pod.namespace("uts")),
                seen.subList(0, 4),
                "the client's hostname and net, IPC and UTS namespaces are the sandbox's: " + client.output());
        assertEquals("pod-host", seen.get(5), "the server's hostname: " + client.output());
        assertNotEquals(pod.namespace("pid"), seen.get(4), "the client has a PID namespace of its own");
        assertNotEquals(seen.get(4), seen.get(6), "each app has a PID namespace of its own: " + client.output());
        assertEquals("pod-host", pod.fetchFromHost("/id").lines().findFirst().orElse(""), "the pod through its veth");

        for (String id : List.of("pod-web", "pod-sandbox")) {
            assertEquals(0, ctr("tasks", "kill", "--signal", "SIGKILL", id).code());
        }
        awaitStopped(List.of("pod-web", "pod-sandbox"));
        for (String id : List.of("pod-web", "pod-sandbox")) {
            assertEquals(0, ctr("tasks", "delete", id).code(), id);
            assertEquals(0, ctr("containers", "delete", id).code(), id);
        }
        List<String> ids = List.of("pod-sandbox", "pod-web", "pod-client");
        assertEquals(
                List.of(),
                pod.leftBehind(dir.resolve("runc").resolve(NAMESPACE), ids),
                "cgroups, mounts, state, shims or the veth the pod left");
    }

    /**
     * Kubernetes' user-namespaced pod ({@code hostUsers: false}): the sandbox maps its own users;
     * an app joins its user, net, IPC and UTS namespaces by path and creates its own mount and PID
     * namespaces, which the pod's user namespace owns. The app runs on the pod's root directory
     * ({@code ctr run --rootfs}), idmapped for the pod's users as the sandbox's is.
     */
    @Test
    void aUserNamespacedPodsAppCreatesItsOwnMountAndPidNamespacesInThePodsUsers() throws Exception {
        Path rootfs = dir.resolve("image/rootfs");
        // the pod's root (a subordinate uid) must reach its root directory through the test's temp dir
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        try {
            PodSandbox pod = PodSandbox.start(ContainerdIT::ctr, runtimeOptions(), dir, rootfs, true);
            List<String> args = new ArrayList<>(List.of("run", "--rm", "--rootfs"));
            args.addAll(runtimeOptions());
            args.addAll(pod.appOptions("pod-userns-app"));
            args.addAll(List.of(
                    rootfs.toString(),
                    "pod-userns-app",
                    "sh",
                    "-c",
                    "for n in user net ipc uts pid mnt; do readlink /proc/self/ns/$n; done; cat /proc/self/uid_map;"
                            + " echo $$; hostname"));
            Result app = ctr(args.toArray(String[]::new));
            assertEquals(0, app.code(), app::output);
            List<String> seen = app.output().lines().toList();
            assertEquals(
                    List.of(pod.namespace("user"), pod.namespace("net"), pod.namespace("ipc"), pod.namespace("uts")),
                    seen.subList(0, 4),
                    app.output());
            assertNotEquals(pod.namespace("pid"), seen.get(4), "the app has a PID namespace of its own");
            assertNotEquals(pod.namespace("mnt"), seen.get(5), "the app has a mount namespace of its own");
            assertEquals(
                    "0 " + PodSandbox.POD_USERS + " 65536", seen.get(6).trim().replaceAll("\\s+", " "));
            assertEquals(List.of("1", PodSandbox.HOSTNAME), seen.subList(7, 9), app.output());

            assertEquals(
                    0,
                    ctr("tasks", "kill", "--signal", "SIGKILL", PodSandbox.ID).code());
            awaitStopped(List.of(PodSandbox.ID));
            assertEquals(0, ctr("tasks", "delete", PodSandbox.ID).code());
            assertEquals(0, ctr("containers", "delete", PodSandbox.ID).code());
            assertEquals(
                    List.of(),
                    pod.leftBehind(dir.resolve("runc").resolve(NAMESPACE), List.of(PodSandbox.ID, "pod-userns-app")),
                    "cgroups, mounts, state, shims or the veth the pod left");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** ctr run of the image, {@code mode} being -d or --rm, with isola as the runtime. */
    private static Result ctrRun(List<String> options, String mode, String id, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", mode));
        args.addAll(runtimeOptions());
        args.addAll(options);
        args.addAll(List.of(IMAGE, id));
        args.addAll(List.of(command));
        return ctr(args.toArray(String[]::new));
    }

    private static List<String> runtimeOptions() {
        return List.of(
                "--runc-binary",
                runtime.toString(),
                "--runc-root",
                dir.resolve("runc").toString());
    }

    /** Until ctr lists each task as STOPPED, bounded. */
    private static void awaitStopped(List<String> ids) throws Exception {
        for (int i = 0; i < 100; i++) {
            List<String> stopped = ctr("tasks", "ls")
                    .output()
                    .lines()
                    .map(l -> l.trim().split("\\s+"))
                    .filter(f -> f.length == 3 && ids.contains(f[0]) && f[2].equals("STOPPED"))
                    .map(f -> f[0])
                    .toList();
            if (stopped.size() == ids.size()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "not stopped within 10 s: " + ctr("tasks", "ls").output());
    }

    /** ctr with a terminal of its own (script(1)), which -t needs. */
    private static Result onTerminal(String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("ctr", "--address", socket().toString(), "--namespace", NAMESPACE));
        command.addAll(List.of(args));
        return execute(List.of(
                "script",
                "-qec",
                command.stream().map(ContainerdIT::quote).collect(Collectors.joining(" ")),
                "/dev/null"));
    }

    private static Result run(String id, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--rm",
                "--runc-binary",
                runtime.toString(),
                "--runc-root",
                dir.resolve("runc").toString(),
                IMAGE,
                id));
        args.addAll(List.of(command));
        return ctr(args.toArray(String[]::new));
    }

    record Result(int code, String output) {}

    private static Result ctr(String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("ctr", "--address", socket().toString(), "--namespace", NAMESPACE));
        command.addAll(List.of(args));
        return execute(command);
    }

    private static Result execute(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish: " + output);
        }
        return new Result(process.exitValue(), output);
    }

    private static Path socket() {
        return dir.resolve("c.sock");
    }

    private static String log() {
        try {
            return Files.readString(dir.resolve("containerd.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/containerd")) && Files.isExecutable(Path.of("/usr/bin/ctr"));
    }

    /** scripts/test.sh installs containerd; a run without it gets one try here. */
    private static boolean install() throws Exception {
        Process apt = new ProcessBuilder("apt-get", "install", "-y", "-q", "--no-install-recommends", "containerd")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!apt.waitFor(5, TimeUnit.MINUTES)) {
            apt.destroyForcibly();
        }
        return installed();
    }

    /** -Disola.binary, else a script running this JVM's class path (the distribution is built after this module). */
    private static Path runtimeBinary() throws IOException {
        String given = System.getProperty("isola.binary");
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        // as PodmanIT: this class path, and the bundle directory the build gives tests (no conf/ beside it)
        List<String> java = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        if (System.getProperty("isola.bundles") != null) {
            java.add("-Disola.bundles="
                    + NetBundle.added(Path.of(System.getProperty("isola.bundles")), dir.resolve("bundles")));
        }
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        Path script = dir.resolve("isola");
        Files.writeString(
                script,
                "#!/bin/sh\nexec " + java.stream().map(ContainerdIT::quote).collect(Collectors.joining(" "))
                        + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Whatever containerd's snapshotter left mounted under {@code root}, deepest first. */
    private static void unmountUnder(Path root) throws Exception {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String target = line.split(" ")[4];
            if (target.startsWith(root + "/")) {
                mounts.add(target);
            }
        }
        mounts.sort((a, b) -> b.length() - a.length());
        for (String target : mounts) {
            new ProcessBuilder("umount", "-l", target).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
