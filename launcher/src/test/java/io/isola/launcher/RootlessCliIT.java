package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.launcher.image.ImageArchives;
import io.isola.spi.support.CgroupDelegation;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 22's rootless rows, as a user would type them: a real user other than root, with
 * /etc/subuid ranges, runs the CLI ({@link RootlessUser}). A container whose root is one of the
 * user's subordinate ids binds a volume below the user's private directories and is entered by
 * exec as its root; an image's container that wrote files as subordinate ids is diffed, committed,
 * exported and removed; a new volume is the subordinate root's; a container that asks for no network gets pasta's where it can.
 */
class RootlessCliIT {

    private static RootlessUser user;

    @BeforeAll
    static void createUser() throws Exception {
        user = RootlessUser.create();
    }

    @AfterAll
    static void removeUser() throws Exception {
        if (user != null) {
            user.close();
        }
    }

    private static List<String> squeezed(String text) {
        return text.lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
    }

    private String map() {
        return "0:" + user.sub + ":65536";
    }

    /** A 0700 directory of the user's, which its subordinate ids may not pass: podman binds it, and so does isola. */
    @Test
    void aVolumeBelowTheUsersPrivateDirectoryIsBoundUnderASubordinateRoot() throws Exception {
        user.shell("mkdir -m 700 ~/private && mkdir ~/private/data && echo from-host >~/private/data/file"
                + " && chmod 777 ~/private/data");
        Path data = user.home().resolve("private/data");
        RootlessUser.Run run = user.isola(
                "run",
                "--rm",
                "--net",
                "none",
                "--uidmap",
                map(),
                "-v",
                data + ":/data",
                "--",
                "sh",
                "-c",
                "id -u; cat /proc/self/uid_map; cat /data/file; touch /data/by-container");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("0", "0 " + user.sub + " 65536", "from-host"), squeezed(run.out()));
        assertEquals(
                (int) user.sub,
                Files.getAttribute(data.resolve("by-container"), "unix:uid", LinkOption.NOFOLLOW_LINKS),
                "the host sees the container's root as the first subordinate id");
    }

    /** A new named volume is given to the subordinate root (as podman chowns it), so root inside writes it; rm removes it. */
    @Test
    void aNewNamedVolumeIsTheSubordinateRootsAndItsFilesShowAsTheMappedIds() throws Exception {
        RootlessUser.Run run = user.isola(
                "run",
                "--rm",
                "--net",
                "none",
                "--uidmap",
                map(),
                "-v",
                "subvol:/vol",
                "--",
                "sh",
                "-c",
                "id -u; cat /proc/self/uid_map; stat -c %u /vol; touch /vol/by-container");
        assertEquals(0, run.code(), run.err());
        assertEquals(List.of("0", "0 " + user.sub + " 65536", "0"), squeezed(run.out()));
        Path data = user.home().resolve(".local/share/isola/volumes/subvol/_data");
        assertEquals(
                List.of((int) user.sub, (int) user.sub),
                List.of(
                        Files.getAttribute(data, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                        Files.getAttribute(data.resolve("by-container"), "unix:uid", LinkOption.NOFOLLOW_LINKS)));
        RootlessUser.Run rm = user.isola("volume", "rm", "subvol");
        assertEquals(0, rm.code(), rm.err());
        assertEquals(false, Files.exists(data.getParent(), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aVolumeTheUserCannotReachIsRefusedNamingTheDirectoryAndTheUid() throws Exception {
        Path closed = Files.createDirectories(user.work.resolve("closed/inside"));
        Files.setPosixFilePermissions(closed.getParent(), PosixFilePermissions.fromString("rwx------"));
        RootlessUser.Run run = user.isola("run", "--rm", "--net", "none", "-v", closed + ":/data", "--", "true");
        assertEquals(125, run.code(), run.err());
        assertEquals(
                "isola: volume source \"" + closed + "\": uid " + user.uid + " may not reach it (it may not search "
                        + closed.getParent() + ", mode rwx------, owner root); give a path that uid " + user.uid
                        + " can search",
                run.err().strip());
    }

    /** Without a user of its own, exec takes the container's root, not the user's host id (nobody there). */
    @Test
    void execUnderASubordinateRootRunsAsTheContainersRoot() throws Exception {
        RootlessUser.Run started = user.isola("run", "-d", "--net", "none", "--uidmap", map(), "--", "sleep", "60");
        assertEquals(0, started.code(), started.err());
        String id = started.out().strip();
        try {
            RootlessUser.Run exec = user.isola("exec", id, "sh", "-c", "id -u; id -g; cat /proc/self/uid_map");
            assertEquals(0, exec.code(), exec.err());
            assertEquals(List.of("0", "0", "0 " + user.sub + " 65536"), squeezed(exec.out()));
        } finally {
            user.isola("rm", "-f", id);
        }
    }

    /**
     * The container leaves a 0700 directory of its uid 1000 (the user's subordinate id sub+999) and
     * overlayfs's work/work (mode 0): the user's own process can neither read nor remove them.
     */
    @Test
    void anImageContainersSubordinateFilesAreDiffedCommittedExportedAndRemoved() throws Exception {
        Path tar = ImageArchives.dockerSave(user.work.resolve("bb.tar"), "test/bb:1", false);
        RootlessUser.command(List.of("chmod", "a+r", tar.toString()));
        RootlessUser.Run imported = user.isola("image", "import", tar.toString());
        assertEquals(0, imported.code(), imported.err());
        RootlessUser.Run run = user.isola(
                "run",
                "--name",
                "subfiles",
                "--net",
                "none",
                "--image",
                "test/bb:1",
                "--",
                "/bin/busybox",
                "sh",
                "-c",
                "mkdir /d && echo x >/d/f && chown -R 1000:1000 /d && chmod 700 /d");
        assertEquals(0, run.code(), run.err());

        RootlessUser.Run diff = user.isola("diff", "subfiles");
        assertEquals(0, diff.code(), diff.err());
        assertEquals(
                List.of("A /d", "A /d/f", "C /etc"),
                squeezed(diff.out()),
                "read in the user's namespace: /d is 0700 of uid 1000");

        RootlessUser.Run commit = user.isola("commit", "subfiles", "test/bb:2");
        assertEquals(0, commit.code(), commit.err());
        RootlessUser.Run fromCommit =
                user.isola("run", "--rm", "--net", "none", "--image", "test/bb:2", "--", "cat", "/d/f");
        assertEquals("x\n", fromCommit.out(), fromCommit.err());

        // idmapping the user's layers takes CAP_SYS_ADMIN over the host's file system: refused, saying so
        RootlessUser.Run subRoot = user.isola(
                "run",
                "--rm",
                "--net",
                "none",
                "--uidmap",
                map(),
                "--image",
                "test/bb:1",
                "--",
                "/bin/busybox",
                "true");
        assertEquals(125, subRoot.code(), subRoot.err());
        assertTrue(
                subRoot.err()
                        .contains("an image with uid maps [" + map() + "] that leave out your uid " + user.uid
                                + ": its layers are your files"),
                subRoot.err());

        Path exported = user.work.resolve("export");
        RootlessUser.command(List.of("install", "-d", "-o", user.name, exported.toString()));
        RootlessUser.Run export =
                user.isola("export", "-o", exported.resolve("subfiles.tar").toString(), "subfiles");
        assertEquals(0, export.code(), export.err());
        Map<String, String> owners = owners(exported.resolve("subfiles.tar"));
        assertEquals("1000:1000", owners.get("d/"), "the owner as the container sees it: " + owners);
        assertEquals("1000:1000", owners.get("d/f"));
        assertEquals("0:0", owners.get("bin/busybox"));

        RootlessUser.Run rm = user.isola("rm", "subfiles");
        assertEquals(0, rm.code(), rm.err());
        Path store = user.home().resolve(".local/share/isola");
        assertEquals(List.of(), list(store.resolve("containers")), "no writable layer left");
        assertEquals(List.of(), list(store.resolve("tmp")), "nothing left being removed");
    }

    /** podman 5's rootless default, where pasta is installed and the user may open the tun device. */
    @Test
    void aContainerThatAsksForNoNetworkGetsPastasWhereItCan() throws Exception {
        RootlessUser.Run pasta = user.run(openTun(), "run", "--rm", "--", "ls", "/sys/class/net");
        assertEquals(0, pasta.code(), pasta.err());
        assertEquals(List.of("eth0", "lo"), squeezed(pasta.out()));
        assertEquals(List.of(), pastaProcesses(), "pasta ends with its container");

        if (!userOpensHostTun()) {
            RootlessUser.Run none = user.isola("run", "--rm", "--", "ls", "/sys/class/net");
            assertEquals(0, none.code(), none.err());
            assertEquals(List.of("lo"), squeezed(none.out()), "a tun device only root may open: none, not a refusal");
        }
    }

    /**
     * A 0666 node of its own on /dev/net/tun, as Debian's udev makes it, in a private mount
     * namespace around the user's command: the host's node is left as it is.
     */
    private static List<String> openTun() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/pasta")), "pasta is needed (package passt)");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "the tun device is needed");
        Path tun = Files.createDirectories(user.work.resolve("tun"));
        return List.of(
                "unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                "mount -t tmpfs -o mode=755,size=16k tmpfs \"$0\" && mknod -m 666 \"$0/tun\" c 10 200"
                        + " && mount --bind \"$0/tun\" /dev/net/tun && exec \"$@\"",
                tun.toString());
    }

    /**
     * {@code -p HOST:80} of a rootless container is pasta's socket on the host: the host's
     * 127.0.0.1:HOST answers with what the container's server on port 80 serves, and rm ends pasta.
     */
    @Test
    void aPublishedPortOfARootlessContainerAnswersOnTheHostsLoopback() throws Exception {
        List<String> openTun = openTun();
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        RootlessUser.Run started = user.run(
                openTun,
                "run",
                "-d",
                "-p",
                port + ":80",
                "--",
                "sh",
                "-c",
                "mkdir /tmp/www && echo served-by-container >/tmp/www/index.html"
                        + " && exec busybox httpd -f -p 80 -h /tmp/www");
        assertEquals(0, started.code(), started.err());
        String id = started.out().strip();
        try {
            assertEquals("served-by-container", fetch(port));
        } finally {
            RootlessUser.Run rm = user.isola("rm", "-f", id);
            assertEquals(0, rm.code(), rm.err());
        }
        assertEquals(List.of(), pastaProcesses(), "pasta ends with its container");

        if (!userOpensHostTun()) {
            int mode = (Integer) Files.getAttribute(Path.of("/dev/net/tun"), "unix:mode") & 07777;
            RootlessUser.Run refused = user.isola("run", "--rm", "-p", port + ":80", "--", "true");
            assertEquals(125, refused.code(), refused.err());
            assertTrue(
                    refused.err()
                            .contains("pasta needs to open /dev/net/tun, which uid " + user.uid + " may not ("
                                    + String.format("mode %04o, owner uid 0", mode) + ")"),
                    refused.err());
        }
    }

    private static boolean userOpensHostTun() throws Exception {
        return RootlessUser.command(List.of(
                        "sh", "-c", "runuser -u " + user.name + " -- test -w /dev/net/tun && echo yes || echo no"))
                .strip()
                .equals("yes");
    }

    /** The body of http://127.0.0.1:PORT/, once the container's server listens (bounded: 10 s). */
    private static String fetch(int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(5))
                .build();
        IOException last = null;
        for (int i = 0; i < 40; i++) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofString())
                        .body()
                        .strip();
            } catch (IOException e) {
                // pasta accepts before the server in the container listens, then closes
                last = e;
                Thread.sleep(250);
            }
        }
        throw new AssertionError("nothing answered on 127.0.0.1:" + port, last);
    }

    /**
     * A cgroup v2 subtree delegated to the user as systemd's Delegate=yes makes it (the directory,
     * its cgroup.procs, cgroup.subtree_control and cgroup.threads the user's), with a leaf {@code
     * session} for the user's processes; on this hybrid host in the cgroup2 hierarchy beside v1's,
     * which has no controllers but has v2's freezer and cpu.stat. A container asking for no limits
     * gets its cgroup there (podman gives every rootless container one), pause freezes it, stats
     * reads it, rm removes it.
     */
    @Test
    void aRootlessContainerGetsACgroupInItsDelegatedSubtreeForPauseAndStats() throws Exception {
        Path subtree = delegatedSubtree("isola-it-" + user.name);
        try {
            List<String> inSubtree = inLeaf(subtree);
            RootlessUser.Run started = user.run(inSubtree, "run", "-d", "--net", "none", "--", "sleep", "60");
            assertEquals(0, started.code(), started.err());
            String id = started.out().strip();
            Path cgroup = subtree.resolve("isola").resolve(id);
            assertTrue(
                    Files.readString(cgroup.resolve("cgroup.procs")).lines().count() >= 1,
                    "the container's processes are in " + cgroup);

            RootlessUser.Run pause = user.run(inSubtree, "pause", id);
            assertEquals(0, pause.code(), pause.err());
            assertEquals("1", Files.readString(cgroup.resolve("cgroup.freeze")).strip());
            RootlessUser.Run stats = user.run(inSubtree, "stats", "--format", "json", id);
            assertEquals(0, stats.code(), stats.err());
            assertEquals(1, new ObjectMapper().readTree(stats.out()).get("PIDs").asInt(), stats.out());
            RootlessUser.Run resume = user.run(inSubtree, "resume", id);
            assertEquals(0, resume.code(), resume.err());
            assertEquals("0", Files.readString(cgroup.resolve("cgroup.freeze")).strip());

            RootlessUser.Run rm = user.run(inSubtree, "rm", "-f", id);
            assertEquals(0, rm.code(), rm.err());
            assertTrue(!Files.exists(cgroup), "rm removes the container's cgroup");
        } finally {
            removeCgroups(subtree);
        }
    }

    /**
     * The attack on the delegated subtree: the user plants a link to a host cgroup it does not own
     * where isola makes its containers' parent ({@code SUBTREE/isola}), so that a runtime which
     * follows it would create cgroups and write limits and pids in root's cgroup. cgroupfs makes
     * no links (kernfs has no symlink operation: EPERM, for root too), so the plant fails and the
     * container's cgroup is made in the subtree; the host cgroup is left as it was.
     */
    @Test
    void aLinkPlantedInTheDelegatedSubtreeIsRefusedByCgroupfsAndNothingIsWrittenThrough() throws Exception {
        Path subtree = delegatedSubtree("isola-it-link-" + user.name);
        Path victim = Files.createDirectories(subtree.resolveSibling("isola-it-victim-" + user.name));
        try {
            String planted = user.shell("ln -s " + victim + " " + subtree.resolve("isola") + " 2>&1 || true");
            assertTrue(planted.contains("Operation not permitted"), planted);
            assertTrue(!Files.isSymbolicLink(subtree.resolve("isola")), "no link in cgroupfs");

            List<String> inSubtree = inLeaf(subtree);
            RootlessUser.Run run =
                    user.run(inSubtree, "run", "--rm", "--net", "none", "--", "cat", "/proc/self/cgroup");
            assertEquals(0, run.code(), run.err());
            assertEquals(List.of(), childCgroups(victim), "nothing made in the host cgroup");
            assertEquals("", Files.readString(victim.resolve("cgroup.procs")), "no process moved into it");
            assertTrue(Files.isDirectory(subtree.resolve("isola"), LinkOption.NOFOLLOW_LINKS));
        } finally {
            removeCgroups(subtree);
            removeCgroups(victim);
        }
    }

    /** The cgroup directories below a test's cgroup. */
    private static List<Path> childCgroups(Path dir) throws Exception {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).toList();
        }
    }

    /**
     * A cgroup v2 directory {@code name} delegated to the user as systemd's Delegate=yes makes it
     * (the directory, its cgroup.procs, cgroup.subtree_control and cgroup.threads the user's),
     * with a leaf {@code session} of the user's for its processes.
     */
    private static Path delegatedSubtree(String name) throws Exception {
        String mount = CgroupDelegation.cgroup2Mount(Path.of("/proc/self/mountinfo"));
        assumeTrue(mount != null, "a cgroup2 hierarchy is needed");
        Path subtree = Path.of(mount, name);
        Path session = Files.createDirectories(subtree.resolve("session"));
        RootlessUser.command(List.of(
                "chown",
                user.name,
                subtree.toString(),
                subtree.resolve("cgroup.procs").toString(),
                subtree.resolve("cgroup.subtree_control").toString(),
                subtree.resolve("cgroup.threads").toString(),
                session.toString(),
                session.resolve("cgroup.procs").toString()));
        return subtree;
    }

    /** A wrapper that starts the user's command in {@code subtree}'s leaf, as a login in user@UID.service starts. */
    private static List<String> inLeaf(Path subtree) {
        return List.of(
                "sh",
                "-c",
                "echo $$ >\"$0/cgroup.procs\" && exec \"$@\"",
                subtree.resolve("session").toString());
    }

    /**
     * OCI linux.uidMappings and gidMappings with several ranges, for a user other than root outside
     * any engine's namespace (runc spec --rootless, edited): the user's own id and two ranges of its
     * /etc/subuid, written by the setuid newuidmap and newgidmap.
     */
    @Test
    void ociMappingsWithSeveralSubordinateRangesAreWrittenByTheSetuidHelpers() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")),
                "the config is written by runc spec; install runc");
        Path bundle = Files.createDirectories(user.work.resolve("oci-bundle"));
        OciHarness.rootfs(bundle);
        Path out = Files.createDirectories(bundle.resolve("out"));
        Process spec = new ProcessBuilder("runc", "spec", "--rootless")
                .directory(bundle.toFile())
                .start();
        assertEquals(0, spec.waitFor());
        ObjectMapper json = new ObjectMapper();
        ObjectNode config =
                (ObjectNode) json.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        // the maps, then the first option of /sys's mount (runc's rootless spec binds the host's, read-only)
        process.putArray("args")
                .add("sh")
                .add("-c")
                .add("{ cat /proc/self/uid_map /proc/self/gid_map; awk '$2 == \"/sys\" { print $4 }' /proc/self/mounts;"
                        + " } >/out/seen && mv /out/seen /out/maps");
        ArrayNode mounts = (ArrayNode) config.get("mounts");
        mounts.addObject()
                .put("destination", "/out")
                .put("type", "bind")
                .put("source", out.toString())
                .putArray("options")
                .add("rbind")
                .add("rw");
        long subGid = Files.readAllLines(Path.of("/etc/subgid")).stream()
                .filter(l -> l.startsWith(user.name + ":"))
                .map(l -> Long.parseLong(l.split(":")[1]))
                .findFirst()
                .orElseThrow();
        ObjectNode linux = (ObjectNode) config.get("linux");
        for (String kind : List.of("uid", "gid")) {
            long own = kind.equals("uid")
                    ? user.uid
                    : Long.parseLong(
                            RootlessUser.command(List.of("id", "-g", user.name)).strip());
            long sub = kind.equals("uid") ? user.sub : subGid;
            ArrayNode maps = linux.putArray(kind + "Mappings");
            maps.addObject().put("containerID", 0).put("hostID", own).put("size", 1);
            maps.addObject().put("containerID", 1).put("hostID", sub).put("size", 999);
            maps.addObject().put("containerID", 1000).put("hostID", sub + 1000).put("size", 1000);
        }
        json.writeValue(bundle.resolve("config.json").toFile(), config);
        RootlessUser.command(List.of("chown", "-R", user.name, bundle.toString()));

        // create hands its stdio to the container, which holds them until it ends: not the test's pipe
        List<String> quiet = List.of("sh", "-c", "exec \"$@\" >/dev/null 2>&1", "sh");
        RootlessUser.Run create = user.run(quiet, "create", "--bundle", bundle.toString(), "oci-maps");
        assertEquals(0, create.code(), create.err());
        try {
            RootlessUser.Run start = user.isola("start", "oci-maps");
            assertEquals(0, start.code(), start.err());
            List<String> maps = List.of();
            for (int i = 0; i < 40 && maps.isEmpty(); i++) {
                maps = Files.exists(out.resolve("maps")) ? squeezed(Files.readString(out.resolve("maps"))) : maps;
                Thread.sleep(maps.isEmpty() ? 250 : 0);
            }
            List<String> expectedUids =
                    List.of("0 " + user.uid + " 1", "1 " + user.sub + " 999", "1000 " + (user.sub + 1000) + " 1000");
            assertEquals(expectedUids, maps.subList(0, Math.min(3, maps.size())));
            assertEquals("1 " + subGid + " 999", maps.get(4));
            assertEquals(
                    List.of("ro,nosuid,nodev,noexec"),
                    maps.subList(6, maps.size()).stream()
                            .map(options -> String.join(
                                    ",", Arrays.asList(options.split(",")).subList(0, 4)))
                            .toList());
        } finally {
            RootlessUser.Run delete = user.isola("delete", "--force", "oci-maps");
            assertEquals(0, delete.code(), delete.err());
        }
    }

    /** Removes a test's cgroup tree, killing what a failed test left in it. */
    private static void removeCgroups(Path tree) throws Exception {
        RootlessUser.command(List.of(
                "sh",
                "-c",
                "for d in $(find \"$0\" -depth -type d); do echo 1 >\"$d/cgroup.kill\" 2>/dev/null;"
                        + " for i in 1 2 3 4 5 6 7 8 9 10; do rmdir \"$d\" 2>/dev/null && break; sleep 0.1; done; done",
                tree.toString()));
    }

    /** The user's pasta processes (bounded wait: pasta gets SIGTERM as its container ends). */
    private static List<String> pastaProcesses() throws Exception {
        List<String> left = List.of();
        for (int i = 0; i < 20; i++) {
            left = RootlessUser.command(List.of("sh", "-c", "pgrep -u " + user.name + " passt || true"))
                    .lines()
                    .toList();
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(250);
        }
        return left;
    }

    private static List<Path> list(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        }
    }

    private static Map<String, String> owners(Path tar) throws Exception {
        Map<String, String> owners = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tar);
                TarArchiveInputStream entries = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                owners.put(entry.getName(), entry.getLongUserId() + ":" + entry.getLongGroupId());
            }
        }
        return owners;
    }
}
