package io.isola.example.time;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Stdio;
import io.isola.launcher.IsolaRuntime;
import io.isola.launcher.framework.PluginStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The plugin as a user meets it: its jar dropped into the plugins directory of a running embedded
 * runtime, then removed, with no restart; each time the next container shows the change.
 */
class TimeIsolatorIT {

    private static final Path BUNDLES = Path.of(System.getProperty("isola.bundles", "target/bundles"));
    private static final Path PLUGIN = Path.of(System.getProperty("plugin.jar"));
    private static final long TEN_DAYS = 864_000;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Path plugins;

    @BeforeEach
    void requirements() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/ns/time")), "this kernel has no time namespaces");
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assumeTrue(uid == 0, "creating namespaces needs root; running as uid " + uid);
        plugins = Files.createTempDirectory("isola-plugins-");
    }

    @AfterEach
    void removePlugins() throws Exception {
        try (var paths = Files.walk(plugins)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void droppingTheJarInGivesTheNextContainerATimeNamespaceAndRemovingItTakesItAway() throws Exception {
        String hostTime = Files.readSymbolicLink(Path.of("/proc/self/ns/time")).toString();
        try (IsolaRuntime isola = IsolaRuntime.withBundles(BUNDLES)
                .plugins(plugins)
                .pollInterval(Duration.ofMillis(100))
                .start()) {
            assertEquals(hostTime, run(isola).get(0), "before the plugin");

            Path jar = plugins.resolve("time-isolator.jar");
            Files.copy(PLUGIN, jar, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(isola.awaitIsolators(names -> names.contains("time"), WAIT), "the plugin did not register");
            double hostUptime = hostUptime();
            List<String> withPlugin = run(isola);
            assertNotEquals(hostTime, withPlugin.get(0), "with the plugin");
            double uptime = Double.parseDouble(withPlugin.get(1).split(" ")[0]);
            assertTrue(
                    uptime >= hostUptime + TEN_DAYS && uptime < hostUptime + TEN_DAYS + 120,
                    "uptime " + uptime + " should be the host's " + hostUptime + " plus ten days");
            PluginStatus row = isola.plugins().stream()
                    .filter(p -> "time".equals(p.name()))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    List.of("io.isola.example.time", "CLONE_NEWTIME", "on by default"),
                    List.of(row.bundle(), row.cloneFlag(), row.state()));

            Files.delete(jar);
            assertTrue(isola.awaitIsolators(names -> !names.contains("time"), WAIT), "the plugin did not go away");
            assertEquals(hostTime, run(isola).get(0), "after the plugin was removed");
        }
    }

    /** Runs a container with the default isolators; returns its time namespace and its /proc/uptime. */
    private static List<String> run(IsolaRuntime isola) throws Exception {
        ContainerSpec spec = ContainerSpec.builder("sh", "-c", "readlink /proc/self/ns/time; cat /proc/uptime")
                .stdout(Stdio.PIPE)
                .build();
        try (Container container = isola.start(spec)) {
            String out = new String(container.stdout().readAllBytes(), UTF_8);
            assertEquals(ExitStatus.exited(0), container.waitFor(), out);
            return out.lines().toList();
        }
    }

    private static double hostUptime() throws Exception {
        return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    }
}
