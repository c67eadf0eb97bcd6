package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.launcher.image.ImageArchives;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
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
        assertEquals(
                0,
                isola("run", "--uidmap", MAP, "--", "sh", "-c", "test \"$(id -u)\" = 0 && test -x /bin/sh"),
                err::toString);
    }

    @Test
    void theNetworksEtcFilesAreBoundInAUserNamespace() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rootfs = busybox(tmp.resolve("rootfs"));
        assertEquals(
                0,
                isola(
                        "run",
                        "--uidmap",
                        MAP,
                        "--net",
                        "none",
                        "--rootfs",
                        rootfs.toString(),
                        "--",
                        "/bin/sh",
                        "-c",
                        "/bin/grep -q localhost /etc/hosts"),
                err::toString);
    }

    @Test
    void aVolumeBelowADirectoryTheMappedRootCannotSearchIsBound() throws IOException {
        Path volume = Files.createDirectory(tmp.resolve("volume"));
        Files.writeString(volume.resolve("from-host"), "hello\n");
        assertEquals(
                0,
                isola(
                        "run",
                        "--uidmap",
                        MAP,
                        "-v",
                        volume + ":/vol",
                        "--",
                        "sh",
                        "-c",
                        "test \"$(cat /vol/from-host)\" = hello"),
                err::toString);
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
            assertEquals(
                    0,
                    isola(
                            "exec",
                            id,
                            "sh",
                            "-c",
                            "test \"$(id -u):$(id -g)\" = 0:0"
                                    + " && test \"$(cat /proc/self/uid_map | tr -s ' ')\" = ' 0 " + BASE + " 65536'"),
                    err::toString);
        } finally {
            isola("rm", "-f", id);
        }
    }

    /** The image store below a directory only host root may search, as a store kept private would be. */
    @Test
    void anImageRunsInAUserNamespaceFromAStoreTheMappedRootCannotSearch() throws IOException {
        System.setProperty("isola.root", tmp.resolve("store").toString());
        try {
            assertEquals(
                    0,
                    isola(
                            "image",
                            "import",
                            ImageArchives.dockerSave(tmp.resolve("bb.tar"), "test/bb:1", false)
                                    .toString()),
                    err::toString);
            assertEquals(
                    0,
                    isola(
                            "run",
                            "--rm",
                            "--uidmap",
                            MAP,
                            "--image",
                            "test/bb:1",
                            "--",
                            "/bin/busybox",
                            "sh",
                            "-c",
                            "test \"$(/bin/busybox id -u)\" = 0 && /bin/busybox touch /new"),
                    err::toString);
        } finally {
            System.clearProperty("isola.root");
        }
    }

    /**
     * Issue 22's volume row as root: a volume made for the container (its copy of the image's /etc
     * too) is given to the container's ids, so root inside owns it and what it writes there is the
     * mapped range's on the host (Docker's userns-remap); a volume made without a user namespace and
     * a bind asked with idmap are idmapped (podman's idmap): host root's files are root's inside,
     * and what the container writes keeps its ids on the host. One container serves every row.
     */
    @Test
    void volumesAreTheContainersRootsInAUserNamespace() throws Exception {
        System.setProperty("isola.root", tmp.resolve("store").toString());
        try {
            assertEquals(
                    0,
                    isola(
                            "image",
                            "import",
                            ImageArchives.dockerSave(tmp.resolve("bb.tar"), "test/bb:1", false)
                                    .toString()),
                    err::toString);
            assertEquals(0, isola("volume", "create", "old"), err::toString);
            Path volumes = tmp.resolve("store/volumes");
            Files.writeString(volumes.resolve("old/_data/from-host"), "old\n");
            Path bind = Files.createDirectory(tmp.resolve("bind"));
            Files.writeString(bind.resolve("from-host"), "bind\n");
            String script = "bb=/bin/busybox; exec >/bind/out; $bb id -u; $bb cat /proc/self/uid_map | $bb tr -s ' ';"
                    + " $bb stat -c '%n %u' /etc /etc/lower /anon /old /old/from-host /bind /bind/from-host;"
                    + " for v in etc anon old bind; do $bb touch /$v/by-container; done";
            assertEquals(
                    0,
                    isola(
                            "run",
                            "--name",
                            "vols",
                            "--uidmap",
                            MAP,
                            "-v",
                            "seeded:/etc",
                            "-v",
                            "/anon",
                            "-v",
                            "old:/old",
                            "-v",
                            bind + ":/bind:idmap",
                            "--image",
                            "test/bb:1",
                            "--",
                            "/bin/busybox",
                            "sh",
                            "-c",
                            script),
                    err::toString);
            assertEquals(
                    List.of(
                            "0",
                            " 0 " + BASE + " 65536",
                            "/etc 0",
                            "/etc/lower 0",
                            "/anon 0",
                            "/old 0",
                            "/old/from-host 0",
                            "/bind 0",
                            "/bind/from-host 0"),
                    Files.readAllLines(bind.resolve("out")));
            Path anon;
            try (Stream<Path> all = Files.list(volumes)) {
                anon = all.filter(p -> !List.of("seeded", "old")
                                        .contains(p.getFileName().toString())
                                && !p.getFileName().toString().startsWith("."))
                        .findFirst()
                        .orElseThrow();
            }
            assertEquals(
                    List.of(BASE, BASE, BASE, BASE),
                    List.of(
                            uid(volumes.resolve("seeded/_data")),
                            uid(volumes.resolve("seeded/_data/lower")),
                            uid(volumes.resolve("seeded/_data/by-container")),
                            uid(anon.resolve("_data/by-container"))),
                    "made for the container: the mapped range's on the host");
            assertEquals(
                    List.of(0L, 0L, 0L),
                    List.of(
                            uid(volumes.resolve("old/_data")),
                            uid(volumes.resolve("old/_data/by-container")),
                            uid(bind.resolve("by-container"))),
                    "idmapped: the container's ids on the host");
            assertEquals(0, isola("rm", "-v", "vols"), err::toString);
        } finally {
            System.clearProperty("isola.root");
        }
    }

    private static long uid(Path path) throws IOException {
        return ((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    @Test
    void aRootfsTheMappedRootCannotReachIsRefusedNamingTheDirectoryAndTheUid() throws IOException {
        Path rootfs = busybox(tmp.resolve("rootfs"));
        assertEquals(
                125,
                isola(
                        "run",
                        "--uidmap",
                        MAP,
                        "--net",
                        "none",
                        "--rootfs",
                        rootfs.toString(),
                        "--",
                        "/bin/sh",
                        "-c",
                        "true"),
                err::toString);
        assertTrue(
                err.toString()
                        .contains("root file system " + rootfs + ": the container's root (host uid " + BASE
                                + ") cannot search " + tmp + " (mode 0700, owner uid 0)"),
                err::toString);
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
