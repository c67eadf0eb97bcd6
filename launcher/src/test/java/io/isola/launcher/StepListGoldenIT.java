package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isola.internal.chain.ChildProgram;
import io.isola.internal.chain.ProgramWire;
import io.isola.internal.launch.LaunchProbe;
import io.isola.testing.GoldenFile;
import io.isola.testing.StepListing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden files of the child's step list (section, isolator, description, libc symbol,
 * arguments) for one container of each kind, composed by real starts of the CLI in this JVM: a
 * change to the order or the arguments of the steps shows as a diff of
 * {@code src/test/resources/io/isola/launcher/golden/*.txt} in review. After a deliberate change,
 * regenerate them with {@code -Disola.golden.update=true} and read the diff. fd numbers, temporary
 * paths, ids, pids and the entries of the host's {@code /} are normalised ({@link GoldenText});
 * what the host is (its cgroup hierarchies, its limits, the JVM's signal handlers) is not: the
 * files are those of the project's machines (Debian 12, root).
 */
class StepListGoldenIT {

    private static final Path GOLDEN = Path.of("src/test/resources/io/isola/launcher/golden");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private InProcessCli cli;
    private final List<ChildProgram> composed = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cli = new InProcessCli(dir);
        LaunchProbe.onComposed(program -> {
            synchronized (composed) {
                composed.add(program);
            }
        });
    }

    @AfterEach
    void tearDown() {
        LaunchProbe.onComposed(null);
        cli.close();
    }

    @Test
    void onTheHostsFiles() throws Exception {
        matches("host-files", "run", "--network", "none", "--hostname", "golden", "--", "true");
    }

    @Test
    void inARootfs() throws Exception {
        Path rootfs = busybox(dir.resolve("rootfs"));
        matches("rootfs", "run", "--network", "none", "--rootfs", rootfs.toString(), "--", "/bin/true");
    }

    @Test
    void inAUserNamespace() throws Exception {
        matches(
                "userns",
                "run",
                "--network",
                "none",
                "--uidmap",
                "0:3000000:65536",
                "--gidmap",
                "0:3000000:65536",
                "--",
                "true");
    }

    @Test
    void onTheDefaultNetwork() throws Exception {
        matches("net", "run", "--", "true");
    }

    @Test
    void withCgroupLimits() throws Exception {
        matches(
                "cgroup",
                "run",
                "--network",
                "none",
                "--memory",
                "64m",
                "--pids-limit",
                "64",
                "--cpus",
                "0.5",
                "--",
                "true");
    }

    @Test
    void anOciBundleWithHooks() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")),
                "the bundle's config is written by runc spec; install runc");
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        Process spec =
                new ProcessBuilder("runc", "spec").directory(bundle.toFile()).start();
        assertEquals(0, spec.waitFor());
        busybox(bundle.resolve("rootfs"));
        ObjectNode config =
                (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        ((ObjectNode) config.get("process"))
                .put("terminal", false)
                .putArray("args")
                .add("true");
        ObjectNode hooks = config.putObject("hooks");
        hooks.putArray("createRuntime").addObject().put("path", "/bin/true");
        hooks.putArray("createContainer").addObject().put("path", "/bin/true");
        hooks.putArray("startContainer").addObject().put("path", "/bin/true");
        hooks.putArray("poststart").addObject().put("path", "/bin/true");
        JSON.writeValue(bundle.resolve("config.json").toFile(), config);
        cli.ok("create", "--bundle", bundle.toString(), "golden-oci");
        cli.ok("start", "golden-oci");
        cli.ok("delete", "-f", "golden-oci");
        check("oci-hooks");
    }

    private void matches(String name, String... args) throws IOException {
        cli.ok(args);
        check(name);
    }

    private void check(String name) throws IOException {
        List<ChildProgram> programs;
        synchronized (composed) {
            programs = List.copyOf(composed);
        }
        assertFalse(programs.isEmpty(), "no program was composed");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < programs.size(); i++) {
            text.append("# program ")
                    .append(i + 1)
                    .append(" of ")
                    .append(programs.size())
                    .append('\n');
            text.append(StepListing.of(programs.get(i)));
            travels(name, programs.get(i));
        }
        GoldenFile.check(GOLDEN, name, GoldenText.normalise(text.toString(), dir));
    }

    /**
     * The program a thin create would receive (issue 17: the server plans, a process in the
     * engine's tree clones) is the one composed here, step for step and byte for byte.
     */
    private static void travels(String name, ChildProgram program) {
        byte[] wire = ProgramWire.encode(program);
        ChildProgram received = ProgramWire.decode(wire);
        assertEquals(StepListing.of(program), StepListing.of(received), name + ": the program changed on the wire");
        assertArrayEquals(wire, ProgramWire.encode(received), name + ": an argument changed on the wire");
    }

    /** A busybox root file system: the binary and the applets the tests run. */
    private static Path busybox(Path rootfs) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "the rootfs is busybox-static; install it");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("true"), Path.of("busybox"));
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
        for (String sub : List.of("proc", "dev", "sys", "tmp", "etc")) {
            Files.createDirectories(rootfs.resolve(sub));
        }
        return rootfs;
    }
}
