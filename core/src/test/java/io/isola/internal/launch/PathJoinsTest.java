package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ContainerSpec;
import io.isola.api.NamespacePaths;
import io.isola.internal.chain.ChildProgram;
import io.isola.spi.Phase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The joins by path, against this JVM's own namespace files (no privilege needed to open them):
 * the order is the kernel's whatever the spec's, the PID namespace is the clone's, and a bad path
 * leaves nothing open. The joins themselves (setns) are the real-kernel tests' (OCI bundles with
 * namespace paths in the launcher's ITs).
 */
class PathJoinsTest {

    @Test
    void theUserNamespaceIsJoinedFirstAndTheMountNamespaceLastWhateverTheSpecsOrder() {
        NamespacePaths paths = new NamespacePaths(Map.of(
                "mnt", "/proc/self/ns/mnt",
                "uts", "/proc/self/ns/uts",
                "pid", "/proc/self/ns/pid",
                "net", "/proc/self/ns/net",
                "user", "/proc/self/ns/user"));
        ContainerSpec spec = ContainerSpec.builder("true").hostname("joined").build();
        try (PathJoins joins = PathJoins.open(paths, spec)) {
            Contribution steps = new Contribution(PathJoins.OWNER.name());
            joins.contribute(steps);

            assertEquals(
                    List.of(
                            "join the user namespace of /proc/self/ns/user",
                            "join the uts namespace of /proc/self/ns/uts",
                            "join the net namespace of /proc/self/ns/net",
                            "join the mnt namespace of /proc/self/ns/mnt"),
                    descriptions(steps, Phase.ENTRY));
            assertEquals(List.of("set hostname to \"joined\""), descriptions(steps, Phase.NAMES));
            assertEquals(
                    joins.pidNamespace().fd(),
                    joins.files().get(io.isola.spi.Namespace.PID).fd());
            assertEquals(4, steps.keptFds().size(), "every joined file but the PID namespace's is kept for setns");
        }
    }

    @Test
    void aMissingPathIsNamedAndNothingIsLeftOpen() throws IOException {
        long before = namespaceFdsOpen();
        NamespacePaths paths = new NamespacePaths(
                Map.of("user", "/proc/self/ns/user", "uts", "/proc/self/ns/uts", "net", "/run/no-such-netns"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PathJoins.open(paths, ContainerSpec.builder("true").build()));
        assertEquals(
                "net namespace path \"/run/no-such-netns\": no such file; expected a namespace file such as"
                        + " /proc/PID/ns/net",
                e.getMessage());
        assertEquals(before, namespaceFdsOpen());
    }

    private static List<String> descriptions(Contribution steps, Phase phase) {
        return steps.ops(phase).stream()
                .map(op -> ((ChildProgram.Call) op).step().description())
                .toList();
    }

    /** This JVM's fds that are namespace files. */
    private static long namespaceFdsOpen() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString().matches("[a-z]+:\\[\\d+\\]")
                                    && !Files.readSymbolicLink(fd).toString().startsWith("socket:")
                                    && !Files.readSymbolicLink(fd).toString().startsWith("pipe:")
                                    && !Files.readSymbolicLink(fd).toString().startsWith("anon_inode:");
                        } catch (IOException gone) {
                            return false;
                        }
                    })
                    .count();
        }
    }
}
