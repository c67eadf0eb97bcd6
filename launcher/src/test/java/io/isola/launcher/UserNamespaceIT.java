package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user namespace's root is an unprivileged host uid, which cannot pass through a directory only
 * host root may search (isola's own state, /run/isola, is 0700 on a machine where isola made it):
 * the containers' mount points and the files the host prepares for them must be reachable anyway,
 * and a path the mapped root cannot reach is refused with the directory, the uid and what to do.
 * Run by scripts/test.sh on fresh, private isola directories, as on a new machine.
 */
class UserNamespaceIT {

    private static final long BASE = 3000000;
    private static final String MAP = "0:" + BASE + ":65536";

    /** Mode 0700, as JUnit makes it: only host root passes through, unless a test opens it. */
    @TempDir
    Path tmp;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void rootOnly() {
        RootOnly.require();
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static is needed");
    }

    private int isola(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--root";
        all[1] = tmp.resolve("state").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Main.execute(all, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    @Test
    void theDefaultSandboxRunsInAUserNamespace() {
        assertEquals(0, isola("run", "--uidmap", MAP, "--", "sh", "-c", "test \"$(id -u)\" = 0 && test -x /bin/sh"),
                err::toString);
    }

    @Test
    void theNetworksEtcFilesAreBoundInAUserNamespace() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rootfs = busybox(tmp.resolve("rootfs"));
        assertEquals(0, isola("run", "--uidmap", MAP, "--net", "none", "--rootfs", rootfs.toString(), "--",
                "/bin/sh", "-c", "/bin/grep -q localhost /etc/hosts"), err::toString);
    }

    @Test
    void aVolumeBelowADirectoryTheMappedRootCannotSearchIsBound() throws IOException {
        Path volume = Files.createDirectory(tmp.resolve("volume"));
        Files.writeString(volume.resolve("from-host"), "hello\n");
        assertEquals(0, isola("run", "--uidmap", MAP, "-v", volume + ":/vol", "--", "sh", "-c",
                "test \"$(cat /vol/from-host)\" = hello"), err::toString);
    }

    /**
     * A process joining the container's user namespace keeps no host id there: host root is
     * unmapped in it (nobody), so exec takes the container's root, as the container's own process has.
     */
    @Test
    void execInAUserNamespaceRunsAsTheContainersRoot() {
        StringWriter out = new StringWriter();
        String[] run = {"--root", tmp.resolve("state").toString(), "run", "-d", "--uidmap", MAP, "--", "sleep", "30"};
        assertEquals(0, Main.execute(run, new PrintWriter(out, true), new PrintWriter(err, true)), err::toString);
        String id = out.toString().trim();
        try {
            // exec's output is this JVM's own stdout: the checks are the command's
            assertEquals(0, isola("exec", id, "sh", "-c", "test \"$(id -u):$(id -g)\" = 0:0"
                    + " && test \"$(cat /proc/self/uid_map | tr -s ' ')\" = ' 0 " + BASE + " 65536'"), err::toString);
        } finally {
            isola("rm", "-f", id);
        }
    }

    /** The image store below a directory only host root may search, as a store kept private would be. */
    @Test
    void anImageRunsInAUserNamespaceFromAStoreTheMappedRootCannotSearch() throws IOException {
        System.setProperty("isola.root", tmp.resolve("store").toString());
        try {
            assertEquals(0, isola("image", "import", ImageArchives.dockerSave(tmp.resolve("bb.tar"), "test/bb:1", false).toString()),
                    err::toString);
            assertEquals(0, isola("run", "--rm", "--uidmap", MAP, "--image", "test/bb:1", "--", "/bin/busybox", "sh", "-c",
                    "test \"$(/bin/busybox id -u)\" = 0 && /bin/busybox touch /new"), err::toString);
        } finally {
            System.clearProperty("isola.root");
        }
    }

    @Test
    void aRootfsTheMappedRootCannotReachIsRefusedNamingTheDirectoryAndTheUid() throws IOException {
        Path rootfs = busybox(tmp.resolve("rootfs"));
        assertEquals(125, isola("run", "--uidmap", MAP, "--net", "none", "--rootfs", rootfs.toString(), "--", "/bin/sh",
                "-c", "true"), err::toString);
        assertTrue(err.toString().contains("root file system " + rootfs + ": the container's root (host uid " + BASE
                + ") cannot search " + tmp + " (mode 0700, owner uid 0)"), err::toString);
        assertTrue(err.toString().contains("chmod o+x " + tmp), err::toString);
    }

    /** A busybox root file system at {@code rootfs}, its own directories searchable by anybody. */
    private static Path busybox(Path rootfs) throws IOException {
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "grep", "true")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(rootfs.resolve("etc"));
        return rootfs;
    }
}
