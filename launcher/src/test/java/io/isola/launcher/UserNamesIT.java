package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --user NAME[:GROUP]} through the CLI, from the container's own /etc/passwd and /etc/group. */
class UserNamesIT {

    @TempDir
    Path tmp;

    private Path rootfs;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void rootfs() throws Exception {
        RootOnly.require();
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "busybox-static is needed");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "grep")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(
                rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nbroken\napp:x:1000:1000::/:/bin/sh\n");
        Files.writeString(
                rootfs.resolve("etc/group"), "root:x:0:\nstaff:x:50:app\naudio:x:29:other,app\napp:x:1000:\n");
        shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    private Path shared;

    /** The container's output goes to the JVM's own stdout: the command writes it to a volume instead. */
    private List<String> output() throws Exception {
        List<String> lines = Files.readAllLines(shared.resolve("out"));
        Files.delete(shared.resolve("out"));
        return lines;
    }

    private int isola(String... args) {
        List<String> all =
                new ArrayList<>(List.of("--root", tmp.resolve("state").toString()));
        all.addAll(List.of(args));
        return Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void aNameRunsTheCommandWithItsIdsAndGroups() throws Exception {
        assertEquals(
                0,
                isola(
                        "run",
                        "--rootfs",
                        rootfs.toString(),
                        "-v",
                        shared + ":/shared",
                        "--user",
                        "app",
                        "--group-add",
                        "7",
                        "--",
                        "sh",
                        "-c",
                        "grep -E '^(Uid|Gid|Groups)' /proc/self/status > /shared/out"),
                err::toString);
        assertEquals(
                List.of("Uid:\t1000\t1000\t1000\t1000", "Gid:\t1000\t1000\t1000\t1000", "Groups:\t7 29 50 1000 "),
                output());
        assertEquals(
                0,
                isola(
                        "run",
                        "--rootfs",
                        rootfs.toString(),
                        "-v",
                        shared + ":/shared",
                        "--user",
                        "0:staff",
                        "--",
                        "sh",
                        "-c",
                        "grep -E '^(Uid|Gid)' /proc/self/status > /shared/out"),
                err::toString);
        assertEquals(List.of("Uid:\t0\t0\t0\t0", "Gid:\t50\t50\t50\t50"), output());
    }

    @Test
    void anUnknownNameIsOneLineAndNothingIsCreated() throws Exception {
        assertEquals(125, isola("run", "--rootfs", rootfs.toString(), "--user", "bob", "--", "true"));
        assertEquals("isola: --user \"bob\": no user \"bob\" in the container's /etc/passwd\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(125, isola("run", "--rootfs", rootfs.toString(), "--user", "app:wheel", "--", "true"));
        assertEquals("isola: --user \"app:wheel\": no group \"wheel\" in the container's /etc/group\n", err.toString());
        try (Stream<Path> state =
                Files.exists(tmp.resolve("state")) ? Files.list(tmp.resolve("state")) : Stream.empty()) {
            assertEquals(List.of(), state.filter(Files::isDirectory).toList(), "a container was registered");
        }
    }

    /**
     * exec --user reads the names from the running container's root as it is now, resolved inside
     * it: a user added since is found; a passwd that the container made a link to /etc/shadow is
     * its own /etc/shadow (which it has not), never the host's; a fifo is refused at once and a
     * file of 10 GiB without being read.
     */
    @Test
    void execUserReadsTheRunningContainersOwnFilesInsideItsRoot() throws Exception {
        for (String applet : List.of("sleep", "mv", "ln", "rm", "mkfifo", "truncate")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        String uid = "grep -E '^Uid' /proc/self/status > /shared/out";
        assertEquals(
                0,
                isola(
                        "run",
                        "-d",
                        "--name",
                        "u1",
                        "--rootfs",
                        rootfs.toString(),
                        "-v",
                        shared + ":/shared",
                        "--",
                        "sleep",
                        "1000"),
                err::toString);
        try {
            inContainer("echo late:x:2000:2000::/:/bin/sh >> /etc/passwd");
            assertEquals(0, isola("exec", "--user", "late", "u1", "sh", "-c", uid), err::toString);
            assertEquals(List.of("Uid:\t2000\t2000\t2000\t2000"), output());

            inContainer("mv /etc/passwd /etc/passwd.real && ln -s /etc/shadow /etc/passwd");
            assertExecRefused("root", "no user \"root\" in the container's /etc/passwd");

            inContainer("rm /etc/passwd && mkfifo /etc/passwd");
            assertExecRefused("app", "/etc/passwd is not a regular file (a fifo)");

            inContainer("rm /etc/passwd && truncate -s 10G /etc/passwd");
            assertExecRefused("app", "/etc/passwd is 10737418240 bytes; at most 1048576 bytes are read");
        } finally {
            isola("rm", "-f", "u1");
        }
    }

    private void inContainer(String script) {
        assertEquals(0, isola("exec", "u1", "sh", "-c", script), err::toString);
    }

    private void assertExecRefused(String user, String why) {
        err.getBuffer().setLength(0);
        assertNotEquals(0, isola("exec", "--user", user, "u1", "true"));
        assertTrue(err.toString().contains(why), err::toString);
    }
}
