package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.isola.api.ContainerSpec;
import io.isola.api.Isola;
import io.isola.launcher.framework.FelixRuntime;
import io.isola.testing.HostState;
import io.isola.testing.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each namespace selected alone, through the bundles in Felix: the container's
 * /proc/self/ns/&lt;name&gt; differs from the host's exactly for the selected namespace.
 */
class NamespaceSelectionIT {

    private static final Path BUNDLES = Path.of(System.getProperty("isola.bundles", "target/bundles"));
    private static final Map<String, String> PROC_NAMES =
            new LinkedHashMap<>(Map.of("uts", "uts", "ipc", "ipc", "pid", "pid", "mount", "mnt"));

    private static FelixRuntime felix;
    private static Isola isola;

    @BeforeAll
    static void start() throws Exception {
        RootOnly.require();
        felix = FelixRuntime.start(BUNDLES);
        felix.requireIsolators(PROC_NAMES.keySet(), Duration.ofSeconds(5));
        isola = Isola.builder().isolatorSource(felix.isolators()).build();
    }

    @AfterAll
    static void stop() {
        if (isola != null) {
            isola.close();
        }
        if (felix != null) {
            felix.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uts", "ipc", "pid", "mount"})
    void onlyTheSelectedNamespaceIsNew(String selected) throws Exception {
        List<String> procNames = List.copyOf(PROC_NAMES.values());
        String script = "for ns in " + String.join(" ", procNames) + "; do readlink /proc/self/ns/$ns; done";
        Outcome outcome = Outcome.of(
                isola,
                ContainerSpec.builder("sh", "-c", script)
                        .isolators(Set.of(selected))
                        .build());

        assertEquals(0, outcome.status().exitCode(), outcome.err());
        List<String> inside = outcome.out().lines().toList();
        for (int i = 0; i < procNames.size(); i++) {
            String procName = procNames.get(i);
            if (procName.equals(PROC_NAMES.get(selected))) {
                assertNotEquals(HostState.namespaceOf(procName), inside.get(i), procName + " should be new");
            } else {
                assertEquals(HostState.namespaceOf(procName), inside.get(i), procName + " should be the host's");
            }
        }
    }
}
