package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Stdio;
import io.isola.launcher.framework.FelixRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The isolators as bundles inside Felix, driving the core's native layer (jnr-ffi) from the
 * application class path. Uses the real bundles the build copied to target/bundles.
 */
class FelixRuntimeIT {

    private static final Path BUNDLES = Path.of(System.getProperty("isola.bundles", "target/bundles"));
    private static final Set<String> FOUR = Set.of("uts", "ipc", "pid", "mount");

    @Test
    void theBundlesRegisterTheFourIsolators() throws Exception {
        try (FelixRuntime felix = FelixRuntime.start(BUNDLES)) {
            felix.requireIsolators(FOUR, Duration.ofSeconds(5));
            Set<String> names =
                    felix.isolators().get().stream().map(i -> i.name()).collect(Collectors.toSet());
            assertTrue(names.containsAll(FOUR), names::toString);
        }
    }

    @Test
    void aContainerRunsThroughTheBundles() throws Exception {
        RootOnly.require();
        try (FelixRuntime felix = FelixRuntime.start(BUNDLES);
                Isola isola = Isola.builder()
                        .isolatorSource(felix.isolators())
                        .defaultIsolators(FOUR)
                        .build()) {
            felix.requireIsolators(FOUR, Duration.ofSeconds(5));
            ContainerSpec spec = ContainerSpec.builder("sh", "-c", "hostname; echo $$")
                    .hostname("felix")
                    .stdout(Stdio.PIPE)
                    .build();
            try (Container container = isola.start(spec)) {
                String output = new String(container.stdout().readAllBytes(), UTF_8);
                assertEquals(ExitStatus.exited(0), container.waitFor());
                assertEquals("felix\n1\n", output);
            }
        }
    }

    @Test
    void closingLeavesNoThreadsAndNoCache() throws Exception {
        // a first cycle starts what lives once per JVM (class loading, jnr's reference cleaner)
        try (FelixRuntime felix = FelixRuntime.start(BUNDLES)) {
            felix.requireIsolators(FOUR, Duration.ofSeconds(5));
        }
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Path storage = Files.createTempDirectory("isola-felix-test-");
        try (FelixRuntime felix = FelixRuntime.start(BUNDLES, storage)) {
            felix.requireIsolators(FOUR, Duration.ofSeconds(5));
        }
        Set<String> left = newThreads(before);
        for (long deadline = System.nanoTime() + 5_000_000_000L; !left.isEmpty() && System.nanoTime() < deadline; ) {
            Thread.sleep(20);
            left = newThreads(before);
        }
        assertEquals(Set.of(), left);
        try (var paths = Files.walk(storage)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aMissingIsolatorIsNamedWithTheAvailableOnes() throws Exception {
        try (FelixRuntime felix = FelixRuntime.start(BUNDLES)) {
            IsolaException e = assertThrows(
                    IsolaException.class, () -> felix.requireIsolators(Set.of("uts", "nope"), Duration.ofMillis(200)));
            assertEquals(
                    "isolator \"nope\" is not available; available: cgroup, ipc, mount, net, pid, user, uts (from the bundles in "
                            + BUNDLES + ")",
                    e.getMessage());
        }
    }

    private static Set<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName)
                .collect(Collectors.toSet());
    }
}
