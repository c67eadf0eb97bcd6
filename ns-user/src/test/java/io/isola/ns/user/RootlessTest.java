package io.isola.ns.user;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.spi.support.HostIdentity;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A user that is not root runs containers with no help from root: the test creates the user
 * (useradd also gives it /etc/subuid and /etc/subgid ranges) and runs {@link ContainerMain} in a
 * JVM of that user's, started with runuser, from a copy of the test class path it can read.
 */
class RootlessTest {

    private static String user;
    private static long uid;
    private static long subStart;
    private static Path work;
    private static String classPath;

    record Run(int code, String out, String err) {}

    @BeforeAll
    static void createUser() throws Exception {
        assumeTrue(HostIdentity.current().isRoot(), "creating a user needs root");
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/useradd")) && Files.isExecutable(Path.of("/usr/sbin/runuser")),
                "useradd and runuser are needed");
        user = "isolart" + ThreadLocalRandom.current().nextInt(10000, 99999);
        command(List.of("useradd", "--create-home", "--shell", "/bin/sh", user));
        uid = Long.parseLong(command(List.of("id", "-u", user)).trim());
        SubordinateIds.Entry range = SubordinateIds.read(Path.of("/etc/subuid")).of(user, uid).stream()
                .findFirst()
                .orElse(null);
        subStart = range == null ? -1 : range.start();
        work = Files.createTempDirectory("isola-rootless");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        classPath = copyClassPath(Files.createDirectory(work.resolve("cp")));
    }

    @AfterAll
    static void removeUser() throws Exception {
        if (user != null) {
            command(List.of("userdel", "--remove", user), true);
            for (String file : List.of("/etc/subuid", "/etc/subgid")) {
                Path path = Path.of(file);
                List<String> kept = Files.readAllLines(path).stream()
                        .filter(l -> !l.startsWith(user + ":"))
                        .toList();
                Files.write(path, kept);
            }
        }
        if (work != null) {
            try (Stream<Path> all = Files.walk(work)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Jars and class directories of this JVM's class path, copied where the new user can read them. */
    private static String copyClassPath(Path dir) throws Exception {
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = dir.resolve(i++ + "-" + source.getFileName());
            try (Stream<Path> tree = Files.walk(source)) {
                for (Path p : tree.toList()) {
                    Path copy = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            entries.add(target.toString());
        }
        command(List.of("chmod", "-R", "a+rX", dir.toString()));
        return String.join(File.pathSeparator, entries);
    }

    private static Run isola(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "runuser",
                "-u",
                user,
                "--",
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                classPath,
                "-XX:-UsePerfData",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                ContainerMain.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        var err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("isola as " + user + " did not finish within 60 s");
        }
        return new Run(process.exitValue(), out, err.get());
    }

    private static String command(List<String> command) throws Exception {
        return command(command, false);
    }

    private static String command(List<String> command, boolean tolerateFailure) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || (process.exitValue() != 0 && !tolerateFailure)) {
            throw new IllegalStateException(command + " failed: " + out);
        }
        return out;
    }

    private static List<String> squeezed(String text) {
        return text.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
    }

    private static void assumeRanges() {
        assumeTrue(subStart >= 0, "useradd gave the test user no /etc/subuid range");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/newuidmap")), "newuidmap is needed (package uidmap)");
    }

    @Test
    void theUsersOwnIdIsRootInsideWithItsRangeAbove() throws Exception {
        assumeRanges();
        Run run = isola(
                "--", "sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/setgroups; readlink /proc/1/exe");
        assertEquals(0, run.code(), run.err());
        assertEquals(
                List.of("0", "0", "0 " + uid + " 1", "1 " + subStart + " 65536", "allow"),
                squeezed(run.out()).subList(0, 5));
    }

    @Test
    void withOnlyItsOwnIdsSetgroupsIsDenied() throws Exception {
        Run run = isola(
                "--uidmap",
                "0:" + uid + ":1",
                "--gidmap",
                "0:" + uid + ":1",
                "--",
                "sh",
                "-c",
                "id -u; cat /proc/self/uid_map /proc/self/setgroups");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("0", "0 " + uid + " 1", "deny"), squeezed(run.out()));
    }

    @Test
    void rangesOf65536WorkAndFilesBelongToTheMappedIds() throws Exception {
        assumeRanges();
        Path shared = Files.createDirectory(work.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Run run = isola(
                "--uidmap",
                "0:" + subStart + ":65536",
                "--gidmap",
                "0:" + subStart + ":65536",
                "--user",
                "1000:1000",
                "--",
                "sh",
                "-c",
                "id -u; grep -E '^Cap(Eff|Prm)' /proc/self/status; touch " + shared + "/by-1000");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("1000", "CapPrm: 0000000000000000", "CapEff: 0000000000000000"), squeezed(run.out()));
        assertEquals(
                (int) (subStart + 1000),
                Files.getAttribute(shared.resolve("by-1000"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(
                (int) (subStart + 1000),
                Files.getAttribute(shared.resolve("by-1000"), "unix:gid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void idsThatAreNotTheUsersAreRefusedNamingTheRange() throws Exception {
        Run run = isola("--uidmap", "0:0:1", "--", "id");
        assertEquals(125, run.code());
        assertTrue(
                run.err().startsWith("isola: uid map \"0:0:1\": host uids 0-0 are not yours to map; as uid " + uid),
                run.err());
        Run overlap = isola("--uidmap", "0:" + uid + ":1", "--uidmap", "0:" + subStart + ":10", "--", "id");
        assertEquals(
                "isola: uid map \"0:" + subStart + ":10\": its container ids overlap those of \"0:" + uid
                        + ":1\"; ranges may not overlap\n",
                overlap.err()
                                .lines()
                                .filter(l -> l.startsWith("isola:"))
                                .findFirst()
                                .orElse(overlap.err()) + "\n");
    }

    @Test
    void busyboxRunsAsRootFromARootfsTheUserOwns() throws Exception {
        Path rootfs = BusyboxRootfs.create(work.resolve("rootfs"));
        command(List.of("chown", "-R", "-h", uid + ":" + uid, rootfs.toString()));
        Run run = isola(
                "--chroot",
                rootfs.toString(),
                "--",
                "sh",
                "-c",
                "id -u; stat -c '%u %g' /bin/busybox /image-file; touch /created && stat -c '%u %g' /created");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("0", "0 0", "0 0", "0 0"), squeezed(run.out()));
    }
}
