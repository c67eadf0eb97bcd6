package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rootless podman with isola as its OCI runtime: a real user other than root, with /etc/subuid
 * ranges ({@link RootlessUser}), runs {@code podman --runtime ISOLA run --rm --network none}.
 * podman runs the runtime as uid 0 of the user's own user namespace, where everything the host's
 * root owns (isola's installation, /run/isola) shows as the overflow uid; runc is run the same
 * way first, so that a host where rootless podman cannot work at all skips rather than blames isola.
 * The podman state is the user's (its home, /tmp/podman-run-UID), removed with the user.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class RootlessPodmanIT {

    private static final String IMAGE = "localhost/isola-rootless-it";
    private static final List<String> ULIMITS = List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");

    private static RootlessUser user;
    private static Path isola;

    record Result(int code, String out, String err) {}

    @BeforeAll
    static void createUserAndImage() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/podman")),
                "podman is not installed (scripts/setup-debian.sh podman)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runc")), "runc is the reference run first; install runc");
        user = RootlessUser.create();
        isola = user.runtimeScript(
                NetBundle.added(Path.of(System.getProperty("isola.bundles")), user.work.resolve("net-bundles")));
        Path rootfs = Files.createDirectories(user.work.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("busybox"));
        for (String applet : List.of("sh", "id", "cat", "ls")) {
            Files.createSymbolicLink(rootfs.resolve(applet), Path.of("busybox"));
        }
        for (String dir : List.of("proc", "sys", "dev", "etc", "tmp")) {
            Files.createDirectories(rootfs.getParent().resolve(dir));
        }
        Path tar = user.work.resolve("rootfs.tar");
        RootlessUser.command(List.of("tar", "-C", rootfs.getParent().toString(), "-cf", tar.toString(), "."));
        RootlessUser.command(List.of("chmod", "a+r", tar.toString()));
        Result imported = podman("import", tar.toString(), IMAGE);
        assertEquals(0, imported.code(), imported::err);
    }

    @AfterAll
    static void removeUser() throws Exception {
        if (user == null) {
            return;
        }
        // podman's rootless pause process keeps the user's namespace for its next command: ours to end
        for (long pid : processesOf(user.uid)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        user.close();
        for (String left : List.of("podman-run-", "containers-user-")) {
            Path dir = Path.of("/tmp", left + user.uid);
            if (Files.exists(dir)) {
                RootlessUser.command(List.of("rm", "-rf", "--one-file-system", dir.toString()));
            }
        }
    }

    @Test
    void podmanRunsIdThroughIsolaAsThroughRunc() throws Exception {
        List<String> run = new ArrayList<>(List.of("run", "--rm", "--network", "none"));
        run.addAll(ULIMITS);
        run.addAll(List.of(IMAGE, "sh", "-c", "id; cat /proc/self/uid_map; ls -n /dev/null"));
        Result runc = podman(with(List.of("--runtime", "/usr/sbin/runc"), run));
        assumeTrue(runc.code() == 0, "rootless podman does not work on this host with runc either: " + runc.err());

        Result through = podman(with(List.of("--runtime", isola.toString()), run));

        assertEquals(0, through.code(), through::err);
        assertEquals(
                "uid=0 gid=0",
                through.out().lines().findFirst().orElse(""),
                "podman's root, with no supplementary group");
        assertEquals(runc.out(), through.out(), "ids, maps and the host's /dev/null, as with runc");
        assertNoStateLeft();
    }

    /** {@code --userns=keep-id}: podman sends a user namespace with uid/gid maps that keep the user's id. */
    @Test
    void keepIdMapsTheUserAsThroughRunc() throws Exception {
        List<String> run = new ArrayList<>(List.of("run", "--rm", "--network", "none", "--userns", "keep-id"));
        run.addAll(ULIMITS);
        run.addAll(List.of(IMAGE, "sh", "-c", "id -u; id -G; cat /proc/self/uid_map /proc/self/gid_map"));
        Result runc = podman(with(List.of("--runtime", "/usr/sbin/runc"), run));
        assumeTrue(
                runc.code() == 0,
                "rootless podman with keep-id does not work on this host with runc either: " + runc.err());

        Result through = podman(with(List.of("--runtime", isola.toString()), run));

        assertEquals(0, through.code(), through::err);
        assertEquals(
                List.of(Long.toString(user.uid), Long.toString(user.uid)),
                through.out().lines().limit(2).toList(),
                "the user's own uid and group inside: " + through.out());
        assertEquals(runc.out(), through.out(), "ids and maps as with runc");
        assertNoStateLeft();
    }

    /**
     * {@code --network host}: without a network namespace of its own rootless podman sends a
     * read-only bind of the host's /sys (its user namespace cannot mount a sysfs for the host's
     * network namespace), which isola refused as a volume on a kernel file system.
     */
    @Test
    void theHostsNetworkGetsTheHostsSysReadOnlyAsThroughRunc() throws Exception {
        List<String> run = new ArrayList<>(List.of("run", "--rm", "--network", "host"));
        run.addAll(ULIMITS);
        run.addAll(List.of(
                IMAGE,
                "sh",
                "-c",
                "awk '$2 == \"/sys\" { split($4, o, \",\"); print o[1] }' /proc/self/mounts; ls /sys/class/net"));
        Result runc = podman(with(List.of("--runtime", "/usr/sbin/runc"), run));
        assumeTrue(
                runc.code() == 0,
                "rootless podman with the host's network does not work on this host with runc either: " + runc.err());

        Result through = podman(with(List.of("--runtime", isola.toString()), run));

        assertEquals(0, through.code(), through::err);
        assertEquals("ro", through.out().lines().findFirst().orElse(""), through.out());
        assertEquals(runc.out(), through.out(), "/sys read-only, with the host's network devices, as with runc");
        assertNoStateLeft();
    }

    private static void assertNoStateLeft() throws IOException {
        Path state = Path.of("/tmp/podman-run-" + user.uid, "isola");
        try (Stream<Path> left = Files.list(state)) {
            assertEquals(
                    List.of(),
                    left.filter(Files::isDirectory)
                            .map(p -> p.getFileName().toString())
                            .filter(name -> name.matches("[0-9a-f]{64}"))
                            .toList(),
                    "a container's state left in " + state);
        }
    }

    private static String[] with(List<String> first, List<String> then) {
        List<String> all = new ArrayList<>(first);
        all.addAll(then);
        return all.toArray(String[]::new);
    }

    /** podman as the user, in its home, with no XDG_RUNTIME_DIR (runuser gives none; podman then uses /tmp/podman-run-UID). */
    private static Result podman(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "runuser",
                "-u",
                user.name,
                "--",
                "env",
                "-u",
                "XDG_RUNTIME_DIR",
                "podman",
                "--storage-driver",
                "vfs",
                "--events-backend",
                "file",
                "--cgroup-manager",
                "cgroupfs"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(user.home().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        if (!process.waitFor(240, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), out, err.join());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<Long> processesOf(long uid) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .toList()) {
                try {
                    boolean owned = Files.readAllLines(proc.resolve("status")).stream()
                            .filter(l -> l.startsWith("Uid:"))
                            .anyMatch(l -> l.split("\\s+")[1].equals(Long.toString(uid)));
                    if (owned) {
                        pids.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return pids;
    }
}
