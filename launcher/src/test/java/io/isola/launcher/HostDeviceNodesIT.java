package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's root owns its /dev, but never the host's device nodes (issue 23): chmod, chown
 * and touch of /dev/null and its neighbours inside a container leave the host's nodes as they
 * were, and the container's nodes still work. Each test puts the host's nodes back as they were
 * (mode, owner, mtime) even when it fails: other tests on this machine write to /dev/null.
 */
class HostDeviceNodesIT {

    private static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    /** The masked kernel files, each covered by a bind of the container's /dev/null. */
    private static final List<String> MASKED =
            List.of("/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug");

    /**
     * What a container root tries on each of its nodes, and on the masked files that its /dev/null
     * covers; refused (in a user namespace) or not, it goes on.
     */
    private static final String ATTACK = "for d in "
            + String.join(" ", DEVICES.stream().map(d -> "/dev/" + d).toList()) + " " + String.join(" ", MASKED)
            + "; do chmod 0600 $d; chown 1:1 $d; touch $d; done 2>/dev/null; ";

    /** The container's nodes work: null swallows, zero gives zeros, and they were made 0666. */
    private static final String WORKS = "echo x > /dev/null && test \"$(head -c1 /dev/zero | wc -c)\" = 1"
            + " && test -c /dev/null && test -c /dev/urandom";

    private static final String MAP = "0:3100000:65536";

    @TempDir
    Path tmp;

    private final StringWriter err = new StringWriter();
    private final Map<String, HostNode> before = new LinkedHashMap<>();

    /** A host node's mode, owner and (for nodes a terminal does not touch) mtime. */
    private record HostNode(int mode, int uid, int gid, FileTime mtime) {

        static HostNode of(Path node) throws IOException {
            return new HostNode(
                    (Integer) attribute(node, "unix:mode") & 07777,
                    (Integer) attribute(node, "unix:uid"),
                    (Integer) attribute(node, "unix:gid"),
                    (FileTime) attribute(node, "unix:lastModifiedTime"));
        }

        private static Object attribute(Path node, String name) throws IOException {
            return Files.getAttribute(node, name, LinkOption.NOFOLLOW_LINKS);
        }
    }

    @BeforeEach
    void recordHostNodes() throws IOException {
        RootOnly.require();
        for (String device : DEVICES) {
            before.put(device, HostNode.of(Path.of("/dev", device)));
        }
    }

    /**
     * Puts every host node back: 0666 root:root (what every node here is) and its mtime. By path,
     * with chmod(1), chown(1) and touch(1): Java opens a file to change it, and /dev/tty opens only
     * with a controlling terminal.
     */
    @AfterEach
    void restoreHostNodes() throws IOException, InterruptedException {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, HostNode> entry : before.entrySet()) {
            String node = "/dev/" + entry.getKey();
            FileTime mtime = entry.getValue().mtime();
            String at = "@" + mtime.toInstant().getEpochSecond() + "."
                    + String.format("%09d", mtime.toInstant().getNano());
            for (List<String> command : List.of(
                    List.of("chown", "0:0", node),
                    List.of("chmod", "0666", node),
                    List.of("touch", "-m", "-d", at, node))) {
                if (command.get(0).equals("touch")
                        && (entry.getKey().equals("tty")
                                || HostNode.of(Path.of(node)).mtime().equals(mtime))) {
                    continue;
                }
                Process process =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (process.waitFor() != 0) {
                    failures.add(String.join(" ", command) + ": " + out.trim());
                }
            }
        }
        assertEquals(List.of(), failures, "host device nodes not restored");
    }

    @Test
    void aDefaultContainerChangesNoHostDeviceNode() throws IOException {
        assertEquals(
                0,
                isola(
                        "run",
                        "--",
                        "sh",
                        "-c",
                        WORKS + " && test \"$(stat -c %a /dev/null)\" = 666 && " + ATTACK + WORKS),
                err::toString);
        assertHostNodesUnchanged();
    }

    @Test
    void aContainerOnItsOwnRootChangesNoHostDeviceNode() throws IOException {
        Path rootfs = busybox(tmp.resolve("rootfs"));
        assertEquals(
                0,
                isola(
                        "run",
                        "--rootfs",
                        rootfs.toString(),
                        "--",
                        "/bin/sh",
                        "-c",
                        WORKS + " && test \"$(stat -c %a /dev/null)\" = 666 && " + ATTACK + WORKS),
                err::toString);
        assertHostNodesUnchanged();
    }

    /** In a user namespace the nodes are the host's, bound: the kernel refuses the change (host root is not mapped). */
    @Test
    void aContainerInAUserNamespaceChangesNoHostDeviceNode() throws IOException {
        Path rootfs = busybox(tmp.resolve("rootfs"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(
                0,
                isola(
                        "run",
                        "--uidmap",
                        MAP,
                        "--rootfs",
                        rootfs.toString(),
                        "--",
                        "/bin/sh",
                        "-c",
                        WORKS + " && " + ATTACK + WORKS),
                err::toString);
        assertHostNodesUnchanged();
    }

    /**
     * A map that includes host root makes the host's nodes' owner the container's root, whose
     * CAP_CHOWN and CAP_FOWNER then count for them: only a read-only bind keeps them unchanged.
     */
    @Test
    void aUserNamespaceThatMapsHostRootChangesNoHostDeviceNode() throws IOException {
        Path rootfs = busybox(tmp.resolve("rootfs"));
        assertEquals(
                0,
                isola(
                        "run",
                        "--uidmap",
                        "0:0:65536",
                        "--gidmap",
                        "0:0:65536",
                        "--rootfs",
                        rootfs.toString(),
                        "--",
                        "/bin/sh",
                        "-c",
                        WORKS + " && " + ATTACK + WORKS),
                err::toString);
        assertHostNodesUnchanged();
    }

    /**
     * A {@code --device} node is the container's own (mknod), made with the host node's mode
     * whatever the umask the runtime runs with; the container's root may change it, not the host's.
     */
    @Test
    void aDeviceNodeIsTheContainersOwnWithTheHostsMode() throws IOException {
        assertEquals(
                0,
                isola(
                        "run",
                        "--device",
                        "/dev/null:/dev/other-null",
                        "--",
                        "sh",
                        "-c",
                        "test -c /dev/other-null && test \"$(stat -c %a /dev/other-null)\" = 666 && echo x > /dev/other-null"
                                + " && chmod 0600 /dev/other-null && chown 1:1 /dev/other-null && touch /dev/other-null"
                                + " && test \"$(stat -c %a:%u /dev/other-null)\" = 600:1"),
                err::toString);
        assertHostNodesUnchanged();
    }

    /** In a user namespace, where mknod of a device is refused, a {@code --device} node is the host's, bound read-only. */
    @Test
    void aDeviceNodeInAUserNamespaceIsTheHostsBoundReadOnly() throws IOException {
        Path rootfs = busybox(tmp.resolve("rootfs"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(
                0,
                isola(
                        "run",
                        "--uidmap",
                        "0:0:65536",
                        "--gidmap",
                        "0:0:65536",
                        "--device",
                        "/dev/null:/dev/other-null",
                        "--rootfs",
                        rootfs.toString(),
                        "--",
                        "/bin/sh",
                        "-c",
                        "test -c /dev/other-null && echo x > /dev/other-null && "
                                + "{ chmod 0600 /dev/other-null; chown 1:1 /dev/other-null; touch /dev/other-null; } 2>/dev/null;"
                                + " test -c /dev/other-null"),
                err::toString);
        assertHostNodesUnchanged();
    }

    private void assertHostNodesUnchanged() throws IOException {
        for (String device : DEVICES) {
            HostNode was = before.get(device);
            HostNode now = HostNode.of(Path.of("/dev", device));
            assertEquals(
                    Integer.toOctalString(was.mode()),
                    Integer.toOctalString(now.mode()),
                    "mode of the host's /dev/" + device);
            assertEquals(
                    was.uid() + ":" + was.gid(), now.uid() + ":" + now.gid(), "owner of the host's /dev/" + device);
            if (!device.equals("tty")) { // a terminal's writes move /dev/tty's mtime
                assertEquals(was.mtime(), now.mtime(), "mtime of the host's /dev/" + device);
            }
        }
    }

    private int isola(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--root";
        all[1] = tmp.resolve("state").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return Main.execute(all, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    /** A busybox root file system, its directories searchable by a user namespace's root. */
    private static Path busybox(Path rootfs) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static is needed");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "chmod", "chown", "touch", "head", "wc", "test", "stat", "echo")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(rootfs.resolve("etc"));
        return rootfs;
    }
}
