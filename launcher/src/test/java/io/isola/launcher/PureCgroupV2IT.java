package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.launcher.image.ImageArchives;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers on a pure cgroup v2 host (Debian 12, Fedora, Ubuntu 22.04+), imitated as
 * HOST-NOTES.md describes: the commands run in a mount namespace of their own whose
 * /sys/fs/cgroup is one cgroup2 mount instead of this host's hybrid layout. There the host's
 * cgroup2 mount and the one the cgroup isolator makes in the container are one superblock, and
 * the kernel refuses it twice on one mount point: a container whose /sys brought the host's mount
 * along failed with EBUSY. The imitated hierarchy has no controllers (they stay bound to v1
 * here), so this checks the layout, not limits; and devices, whose BPF filter needs no controller.
 *
 * <p>Every kind of container runs in one JVM started under {@code unshare -m}; each prints what
 * its /sys/fs/cgroup is ({@link #CHECK}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PureCgroupV2IT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Its own parent, so leftovers are this test's only. */
    private static final String PARENT = "isola-v2-test";
    /** A cgroup at the root of the imitated hierarchy: seen only by a container shown the host's tree. */
    private static final String MARKER = "isola-v2-test-host";

    private static final String IMAGE = "test/busybox:v2";
    /** What a container says of its /sys/fs/cgroup: the top mount there (type, ro or rw) and how many, its cgroup, the host's tree. */
    private static final String CHECK = "b=/bin/busybox\n"
            + "$b awk '$5 == \"/sys/fs/cgroup\" { n++; top = $(NF-2) \" \" substr($6, 1, 2) }"
            + " END { print \"mount:\", top; print \"mounts there:\", n }' /proc/self/mountinfo\n"
            + "echo \"at its namespace's root: $($b grep -c '^0::/$' /proc/self/cgroup)\"\n"
            + "if [ -d /sys/fs/cgroup/" + MARKER
            + " ]; then echo 'host tree: visible'; else echo 'host tree: hidden'; fi\n";
    /** A read-only cgroup2 mount alone on /sys/fs/cgroup, rooted at the container's own cgroup: none of the host's tree. */
    private static final String OWN = own(1);
    /**
     * What a container may do with devices: make a node of the host's loop device (mknod, as in
     * Docker), open it, and write to /dev/null.
     */
    private static final String DEVICES = "b=/bin/busybox\n"
            + "$b rm -f /tmp/loop\n" // the cases share the rootfs
            + "$b mknod /tmp/loop b 7 0 && echo mknod: made || echo mknod: refused\n"
            + "(exec 3</tmp/loop) 2>/dev/null && echo open: ok || echo open: refused\n"
            + "echo x > /dev/null && echo null: ok\n";
    /**
     * With a user namespace, the host's mount comes locked to the bound /sys and cannot be
     * detached: a read-only tmpfs covers it, and the container's own cgroup2 is on top.
     */
    private static final String OWN_OVER_LOCKED = own(3);

    @TempDir
    Path tmp;

    private Path state;
    private Path conf;
    private Path rootfs;
    /** Bound at /out in every container: where each leaves its report. */
    private Path out;

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "the imitation needs unshare(1) (util-linux)");
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        // the rootfs of the --userns case is reached by an unprivileged host uid: the way to it must be open
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        state = Files.createDirectory(tmp.resolve("state"));
        out = Files.createDirectory(tmp.resolve("out"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        conf = Files.createDirectory(tmp.resolve("conf"));
        Files.writeString(conf.resolve("isola.properties"), "plugins =\n");
        Files.writeString(conf.resolve("io.isola.ns.cgroup.cfg"), "enabled = true\nparent = " + PARENT + "\n");
        rootfs = busyboxRootfs(tmp.resolve("rootfs"));
    }

    private static Path busyboxRootfs(Path rootfs) throws Exception {
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(ImageArchives.BUSYBOX, rootfs.resolve("bin/busybox"));
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        for (String dir : List.of("proc", "dev", "sys", "tmp", "out")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        return rootfs;
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        StringWriter ids = new StringWriter();
        Main.execute(
                new String[] {"--root", state.toString(), "list", "-q"},
                new PrintWriter(ids, true),
                new PrintWriter(new StringWriter()));
        for (String id : ids.toString().lines().toList()) {
            Main.execute(
                    new String[] {"--root", state.toString(), "rm", "-f", id},
                    new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter()));
        }
        List<Path> left = new ArrayList<>();
        for (Path hierarchy : hostCgroupMounts()) {
            Path parent = hierarchy.resolve(PARENT);
            try (Stream<Path> children = Files.isDirectory(parent) ? Files.list(parent) : Stream.empty()) {
                children.filter(Files::isDirectory).forEach(left::add);
            }
            // OCI delete removes a container's own cgroup but not the parent isola made it in (as
            // runc leaves an engine's parents), so the OCI cases leave the parent empty; and the
            // marker stays if the imitation's shell died before its rmdir
            for (Path dir : List.of(parent, hierarchy.resolve(MARKER))) {
                if (Files.isDirectory(dir) && !dir.toFile().delete()) {
                    left.add(dir);
                }
            }
        }
        assertEquals("", ids.toString(), "containers left");
        assertEquals(List.of(), left, "cgroups left");
    }

    @Test
    void everyKindOfContainerGetsItsOwnCgroup2ReadOnlyAndNoCgroupGetsTheHosts() throws Exception {
        Path archive = ImageArchives.dockerSave(tmp.resolve("image.tar"), IMAGE, false);
        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put("image import", List.of("image", "import", archive.toString()));
        run(cases, "host files", "--net", "host", "--");
        run(cases, "host files, --net none", "--net", "none", "--");
        run(cases, "--rootfs", "--rootfs", rootfs.toString(), "--net", "host", "--");
        run(cases, "--rootfs, --net none", "--rootfs", rootfs.toString(), "--net", "none", "--");
        run(cases, "image", "--net", "host", IMAGE);
        run(cases, "image, --net none", "--net", "none", IMAGE);
        run(
                cases,
                "--userns --rootfs",
                "--uidmap",
                "0:300000:65536",
                "--gidmap",
                "0:300000:65536",
                "--rootfs",
                rootfs.toString(),
                "--net",
                "host",
                "--");
        // the device filter needs no controller, so the imitation enforces the default list too
        runDevices(cases, "devices", "--rootfs", rootfs.toString(), "--");
        runDevices(cases, "devices, a rule", "--device-cgroup-rule", "b 7:0 r", "--rootfs", rootfs.toString(), "--");
        run(cases, "--no-cgroup", "--no-cgroup", "--net", "host", "--");
        run(cases, "--no-cgroup, --net none", "--no-cgroup", "--net", "none", "--");
        // the first bundle's container stays up for exec (an engine's exec, and Docker-style exec, into a running one)
        for (boolean network : List.of(false, true)) {
            String id = network ? "oci-net" : "oci";
            Path bundle = bundle(id, network, network ? "" : "exec /bin/busybox sleep 60");
            cases.put(id + " create", List.of("create", "--bundle", bundle.toString(), id));
            cases.put(id + " start", List.of("start", id));
            if (!network) {
                cases.put("exec", List.of("exec", id, "/bin/busybox", "sh", "-c", reportTo("exec")));
                cases.put(id + " kill", List.of("kill", id, "KILL"));
            }
            cases.put(id + " wait", List.of("wait", id));
            cases.put(id + " delete", List.of("delete", id));
        }

        // an engine's device rules: deny all (runc's baseline), then deny /dev/null, which the defaults allow
        Path devices = deviceRulesBundle("oci-devices");
        cases.put("oci-devices create", List.of("create", "--bundle", devices.toString(), "oci-devices"));
        cases.put("oci-devices start", List.of("start", "oci-devices"));
        cases.put("oci-devices wait", List.of("wait", "oci-devices"));
        cases.put("oci-devices delete", List.of("delete", "oci-devices"));

        Map<String, JsonNode> results = runImitatingPureV2(cases);
        StringBuilder times = new StringBuilder("PureCgroupV2IT: milliseconds per command:");
        results.forEach((name, result) ->
                times.append(' ').append(fileName(name)).append('=').append(result.get("millis")));
        System.out.println(times);

        List<Executable> checks = new ArrayList<>();
        // isola's wait of an OCI container only waits: its exit status is its parent's (an engine's), not isola's
        results.forEach((name, result) -> checks.add(() -> assertTrue(
                result.get("code").asInt() == 0
                        || name.endsWith(" wait")
                                && result.get("err")
                                        .asText()
                                        .contains("an OCI container's exit status goes to the engine"),
                () -> name + " failed: " + result.get("err").asText())));
        for (String name : List.of(
                "host files",
                "host files, --net none",
                "--rootfs",
                "--rootfs, --net none",
                "image",
                "image, --net none",
                "exec",
                "oci",
                "oci-net")) {
            checks.add(() -> assertEquals(OWN, report(name), name));
        }
        checks.add(() -> assertEquals(OWN_OVER_LOCKED, report("--userns --rootfs"), "--userns --rootfs"));
        checks.add(() -> assertEquals(
                "mknod: made\nopen: refused\nnull: ok\n",
                report("devices"),
                "the default device list, enforced by the BPF filter, with CAP_MKNOD kept"));
        checks.add(() ->
                assertEquals("mknod: made\nopen: ok\nnull: ok\n", report("devices, a rule"), "--device-cgroup-rule"));
        checks.add(() -> assertEquals(
                "null: refused\nzero: ok\n", report("oci-devices"), "linux.resources.devices, the last match wins"));
        for (String name : List.of("--no-cgroup", "--no-cgroup, --net none")) {
            String seen = report(name);
            checks.add(() -> assertTrue(
                    seen.startsWith("mount: cgroup2 ro\nmounts there: 1\n") && seen.endsWith("host tree: visible\n"),
                    name + ": expected the host's cgroup2, read-only, got\n" + seen));
        }
        assertAll(checks);
    }

    /**
     * On this host's own layout (hybrid here: a tmpfs of v1 hierarchies) the container's
     * /sys/fs/cgroup is what the cgroup isolator mounts, alone: the host's mount, with the host's
     * whole tree, is no longer beneath it.
     */
    @Test
    void onThisHostsOwnLayoutTheContainersCgroupfsIsAloneThere() throws Exception {
        String hostType = hostMountType("/sys/fs/cgroup").orElse("(nothing)");
        Map<String, List<String>> cases = new LinkedHashMap<>();
        run(cases, "host files", "--net", "host", "--");
        run(cases, "host files, --net none", "--net", "none", "--");
        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("--root", state.toString(), "--config", conf.toString()));
            args.addAll(c.getValue());
            StringWriter err = new StringWriter();
            assertEquals(
                    0,
                    Main.execute(
                            args.toArray(String[]::new),
                            new PrintWriter(new StringWriter()),
                            new PrintWriter(err, true)),
                    () -> c.getKey() + ": " + err);
            assertEquals(
                    "mount: " + hostType + " ro\nmounts there: 1\nat its namespace's root: 1\n",
                    report(c.getKey()).replace("host tree: hidden\n", ""),
                    c.getKey());
        }
    }

    private static String own(int mounts) {
        return "mount: cgroup2 ro\nmounts there: " + mounts + "\nat its namespace's root: 1\nhost tree: hidden\n";
    }

    /** Adds the case {@code isola run --rm -v OUT:/out OPTIONS... CHECK}; the last option is "--" or an image. */
    private void run(Map<String, List<String>> cases, String name, String... options) {
        List<String> command = new ArrayList<>(List.of("run", "--rm", "-v", out + ":/out"));
        command.addAll(List.of(options));
        command.addAll(List.of("/bin/busybox", "sh", "-c", reportTo(name)));
        cases.put(name, command);
    }

    /** Like {@link #run}, with {@link #DEVICES} as the check. */
    private void runDevices(Map<String, List<String>> cases, String name, String... options) {
        List<String> command = new ArrayList<>(List.of("run", "--rm", "-v", out + ":/out"));
        command.addAll(List.of(options));
        command.addAll(List.of("/bin/busybox", "sh", "-c", "(" + DEVICES + ") > /out/" + fileName(name)));
        cases.put(name, command);
    }

    /** {@link #CHECK}, its report written to /out in a file named after the case. */
    private static String reportTo(String name) {
        return "(" + CHECK + ") > /out/" + fileName(name);
    }

    private String report(String name) throws IOException {
        Path file = out.resolve(fileName(name));
        return Files.exists(file) ? Files.readString(file) : "(no report)";
    }

    private static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    /**
     * A busybox bundle as engines write them for cgroup v2: a cgroup namespace and a read-only
     * {@code cgroup} mount on /sys/fs/cgroup (Docker's and podman's), with or without a network
     * namespace; its process leaves {@link #CHECK}'s report in {@link #out}, then runs {@code then}.
     */
    private Path bundle(String id, boolean network, String then) throws Exception {
        Path bundle = Files.createDirectory(tmp.resolve("bundle-" + id));
        busyboxRootfs(bundle.resolve("rootfs"));
        assertEquals(
                0,
                Main.execute(
                        new String[] {"spec", "--bundle", bundle.toString()},
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(new StringWriter())));
        ObjectNode config =
                (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        ((ObjectNode) config.get("process"))
                .put("terminal", false)
                .putArray("args")
                .add("/bin/busybox")
                .add("sh")
                .add("-c")
                .add(reportTo(id) + "\n" + then);
        ArrayNode mounts = (ArrayNode) config.get("mounts");
        ObjectNode cgroup = mounts.addObject()
                .put("destination", "/sys/fs/cgroup")
                .put("type", "cgroup")
                .put("source", "cgroup");
        cgroup.putArray("options").add("ro").add("nosuid").add("noexec").add("nodev");
        ObjectNode bind = mounts.addObject()
                .put("destination", "/out")
                .put("type", "bind")
                .put("source", out.toString());
        bind.putArray("options").add("rbind").add("rw");
        ArrayNode namespaces = (ArrayNode) ((ObjectNode) config.get("linux")).get("namespaces");
        namespaces.addObject().put("type", "cgroup");
        if (network) {
            namespaces.addObject().put("type", "network");
        }
        JSON.writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }

    /** A bundle whose linux.resources.devices denies /dev/null; its process reports which of null and zero it opens. */
    private Path deviceRulesBundle(String id) throws Exception {
        Path bundle = bundle(id, false, "");
        ObjectNode config =
                (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        ((ObjectNode) config.get("process"))
                .putArray("args")
                .add("/bin/busybox")
                .add("sh")
                .add("-c")
                .add("for d in null zero; do (exec 3<>/dev/$d) && echo $d: ok || echo $d: refused; done > /out/"
                        + fileName(id));
        ArrayNode rules =
                ((ObjectNode) config.get("linux")).putObject("resources").putArray("devices");
        rules.addObject().put("allow", false).put("access", "rwm");
        // rw, not m: isola makes the container's own /dev/null with mknod, so a rule that denies
        // making it fails the start with the node named (runc would bind the host's node instead,
        // which the container could then chmod)
        rules.addObject()
                .put("allow", false)
                .put("type", "c")
                .put("major", 1)
                .put("minor", 3)
                .put("access", "rw");
        JSON.writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }

    /**
     * Runs every case's command, in order, in one JVM in a mount namespace of its own where
     * /sys/fs/cgroup is a single cgroup2 mount, with a {@link #MARKER} cgroup at its root.
     */
    private Map<String, JsonNode> runImitatingPureV2(Map<String, List<String>> cases) throws Exception {
        ArrayNode commands = JSON.createArrayNode();
        for (List<String> args : cases.values()) {
            ArrayNode command = commands.addArray()
                    .add("--root")
                    .add(state.toString())
                    .add("--config")
                    .add(conf.toString());
            args.forEach(command::add);
        }
        Path commandFile = tmp.resolve("commands.json");
        Path resultFile = tmp.resolve("results.json");
        JSON.writeValue(commandFile.toFile(), commands);
        List<String> command = new ArrayList<>(List.of(
                "unshare",
                "-m",
                "--propagation",
                "private",
                "sh",
                "-c",
                "umount -R /sys/fs/cgroup 2>/dev/null; mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 90\n"
                        + "mkdir -p /sys/fs/cgroup/" + MARKER + " || exit 91\n"
                        + "\"$@\"; status=$?; rmdir /sys/fs/cgroup/" + MARKER + "; exit $status",
                "sh"));
        command.addAll(CommandsInOneJvm.javaCommand(commandFile, resultFile));
        Path log = tmp.resolve("driver.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("ISOLA_ROOT", tmp.resolve("store").toString());
        Process driver = builder.start();
        if (!driver.waitFor(150, TimeUnit.SECONDS)) {
            driver.descendants().forEach(ProcessHandle::destroyForcibly); // the namespace and its mounts go with them
            driver.destroyForcibly().waitFor();
            throw new AssertionError("the commands did not finish: " + read(log));
        }
        assertEquals(0, driver.exitValue(), () -> "the imitation failed: " + read(log));
        JsonNode results = JSON.readTree(resultFile.toFile());
        Map<String, JsonNode> named = new LinkedHashMap<>();
        int i = 0;
        for (String name : cases.keySet()) {
            named.put(name, results.get(i++));
        }
        return named;
    }

    /** The host's cgroup hierarchies (v1 and v2): where the containers' cgroups are made. */
    private static List<Path> hostCgroupMounts() throws Exception {
        return hostMounts().stream()
                .filter(m -> m[1].equals("cgroup") || m[1].equals("cgroup2"))
                .map(m -> Path.of(m[0]))
                .toList();
    }

    /** The type of the host's top mount on {@code path}. */
    private static Optional<String> hostMountType(String path) throws Exception {
        return hostMounts().stream()
                .filter(m -> m[0].equals(path))
                .map(m -> m[1])
                .reduce((lower, upper) -> upper);
    }

    /** This process's mounts, in order, as {mount point, type}. */
    private static List<String[]> hostMounts() throws Exception {
        List<String[]> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (dash > 0) {
                mounts.add(new String[] {fields[4], fields[dash + 1]});
            }
        }
        return mounts;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
