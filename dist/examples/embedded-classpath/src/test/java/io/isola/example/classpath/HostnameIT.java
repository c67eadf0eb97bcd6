package io.isola.example.classpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Isola;
import io.isola.spi.NamespaceIsolator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/embedding.md's dependency set and example, on this module's class path and nothing else. */
class HostnameIT {

    @Test
    void theDocumentedDependenciesBringEveryIsolator() {
        try (Isola isola = Isola.fromServiceLoader()) {
            Set<String> names = isola.isolators().stream().map(NamespaceIsolator::name).collect(Collectors.toSet());
            assertEquals(Set.of("uts", "ipc", "pid", "mount", "net", "user", "cgroup"), names);
        }
    }

    @Test
    void theReadmeExampleRunsAContainerAndPrintsItsHostname() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assumeTrue(uid == 0, "creating namespaces needs root; running as uid " + uid);
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Hostname.main(new String[0]);
        } finally {
            System.setOut(stdout);
        }
        assertEquals("x\n", printed.toString(StandardCharsets.UTF_8));
    }
}
