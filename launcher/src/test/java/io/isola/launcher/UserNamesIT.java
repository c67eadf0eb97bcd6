package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
