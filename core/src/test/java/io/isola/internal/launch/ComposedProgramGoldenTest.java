package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ContainerSpec;
import io.isola.api.DeferredStart;
import io.isola.api.Filesystem;
import io.isola.api.Join;
import io.isola.api.Network;
import io.isola.api.PortMapping;
import io.isola.api.Resources;
import io.isola.api.Stdio;
import io.isola.api.UserNamespace;
import io.isola.api.Volume;
import io.isola.internal.chain.ChildProgram;
import io.isola.oci.ConfigTranslator;
import io.isola.oci.Hook;
import io.isola.oci.OciPlan;
import io.isola.testing.GoldenFile;
import io.isola.testing.RecordingSyscalls;
import io.isola.testing.StepListing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden files of what core composes for one container of each kind, without a kernel: the
 * {@link Orchestrator} runs against {@link RecordingSyscalls} and {@link StandInIsolator}s and stops
 * where the clone would be, and the host's calls and the child's step list (section, isolator,
 * description, libc symbol, arguments) are compared as text with
 * {@code src/test/resources/io/isola/internal/launch/golden/*.txt}. A change to the order or the
 * arguments of the steps shows as a diff of those files in review. After a deliberate change,
 * regenerate them with {@code mvn test -pl core -Dtest=ComposedProgramGoldenTest
 * -Disola.golden.update=true} and read the diff. The isolators' own steps are covered, with a kernel,
 * by the launcher's {@code StepListGoldenIT}.
 */
class ComposedProgramGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/io/isola/internal/launch/golden");
    /** The pid of the running container that a hook joins. */
    private static final long CONTAINER_PID = 4242;
    /** Its start time, as the container's state records it. */
    private static final long CONTAINER_START_TIME = 777;

    @TempDir
    Path dir;

    @Test
    void onTheHostsFiles() throws IOException {
        matches("host-files", spec("true").hostname("golden").with(Network.none()));
    }

    @Test
    void inARootfs() throws IOException {
        matches(
                "rootfs",
                spec("/bin/true")
                        .with(Network.none())
                        .with(Filesystem.builder()
                                .rootfs("/srv/golden/rootfs")
                                .volume(new Volume("/srv/golden/data", "/data", true))
                                .build()));
    }

    @Test
    void fromAnImage() throws IOException {
        matches(
                "image",
                spec("sh", "-c", "exit 0")
                        .env("PATH", "/usr/bin:/bin")
                        .cwd("/srv")
                        .with(Network.none())
                        .with(Filesystem.builder()
                                .image("busybox:latest")
                                .layers(List.of("/var/lib/isola/layers/a", "/var/lib/isola/layers/b"), "/run/golden/rw")
                                .build()));
    }

    @Test
    void inAUserNamespace() throws IOException {
        matches(
                "userns",
                spec("true")
                        .with(Network.none())
                        .with(UserNamespace.parse(List.of("0:3000000:65536"), List.of("0:3000000:65536"))));
    }

    @Test
    void onTheDefaultNetwork() throws IOException {
        matches("net", spec("true").with(Network.bridge().publish(PortMapping.parse("8080:80"))));
    }

    @Test
    void onTheHostsNetwork() throws IOException {
        matches("host-net", spec("true").with(Network.host()));
    }

    @Test
    void withCgroupLimits() throws IOException {
        matches(
                "cgroup",
                spec("true")
                        .with(Network.none())
                        .with(Resources.builder()
                                .memory("64m")
                                .pidsLimit(64)
                                .cpus("0.5")
                                .build()));
    }

    /**
     * OCI create of a bundle (runc spec's config with hooks), then its in-container hooks: each a
     * process that joins the created container's namespaces.
     */
    @Test
    void anOciBundleWithHooks() throws IOException {
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        Files.createDirectories(bundle.resolve("rootfs"));
        try (var config = ComposedProgramGoldenTest.class.getResourceAsStream("golden/oci-bundle.json")) {
            Files.copy(config, bundle.resolve("config.json"));
        }
        Path state = Files.createDirectories(dir.resolve("state"));
        OciPlan plan = ConfigTranslator.load(bundle);
        List<ContainerSpec> specs = new ArrayList<>();
        specs.add(plan.spec().id("golden-oci").with(new DeferredStart(state)).build());
        for (String kind : List.of("createContainer", "startContainer")) {
            for (Hook hook : plan.hooks(kind)) {
                specs.add(hook.inContainerOf(new Join(CONTAINER_PID, CONTAINER_START_TIME)));
            }
        }
        String text = compose(specs).replace(bundle.toString(), "<bundle>").replace(state.toString(), "<state>");
        check("oci-hooks", text);
    }

    private static ContainerSpec.Builder spec(String... command) {
        return ContainerSpec.builder(command)
                .id("golden")
                .stdin(Stdio.PIPE)
                .stdout(Stdio.PIPE)
                .stderr(Stdio.INHERIT);
    }

    private void matches(String name, ContainerSpec.Builder spec) throws IOException {
        check(name, compose(List.of(spec.build())));
    }

    /** Each spec started on a fresh fake host: its calls, then its program; nothing may stay open. */
    private static String compose(List<ContainerSpec> specs) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < specs.size(); i++) {
            RecordingSyscalls host = new RecordingSyscalls();
            List<ChildProgram> composed = new ArrayList<>();
            Launch.Runner composeOnly = (launch, programs, stdio) -> {
                // the fds Launch would pass: the status pipe's write end and the gate's read end
                composed.add(programs.create(List.of(90, 91)));
                throw new ComposedOnly();
            };
            try (Orchestrator orchestrator = new Orchestrator(() -> StandInIsolator.BUNDLES, null, host, composeOnly)) {
                ContainerSpec spec = specs.get(i);
                assertThrows(ComposedOnly.class, () -> orchestrator.start(spec));
            }
            assertEquals(Set.of(), host.openFds(), "fds left open after the start was given up");
            assertEquals(1, composed.size());
            text.append("# program ")
                    .append(i + 1)
                    .append(" of ")
                    .append(specs.size())
                    .append('\n');
            text.append("## host calls\n");
            host.calls().forEach(call -> text.append(call).append('\n'));
            text.append(StepListing.of(composed.get(0)));
        }
        return text.toString();
    }

    private static void check(String name, String actual) throws IOException {
        GoldenFile.check(GOLDEN, name, actual);
    }

    /** Where the clone would have been. */
    private static final class ComposedOnly extends RuntimeException {
        ComposedOnly() {
            super("composed only", null, false, false);
        }
    }
}
