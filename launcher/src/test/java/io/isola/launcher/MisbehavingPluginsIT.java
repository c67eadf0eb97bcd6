package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.IsolaException;
import io.isola.launcher.framework.PluginStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plugins that throw, claim a namespace another isolator owns, or contribute to a phase this
 * runtime does not know: each gives an error naming its bundle, no container starts with it, and
 * the built-in isolators go on working in the same runtime.
 */
class MisbehavingPluginsIT {

    private static final Path BUNDLES = Path.of(System.getProperty("isola.bundles", "target/bundles"));
    private static final Set<String> BUILT_IN = Set.of("uts", "ipc", "pid", "mount");
    private static final String PROBE = "test \"$(hostname)\" = good && test $$ = 1";

    private static Path work;
    private static IsolaRuntime isola;

    @BeforeAll
    static void startWithBadPlugins() throws Exception {
        work = Files.createTempDirectory("isola-bad-plugins-");
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Path build = Files.createDirectory(work.resolve("build"));
        move(TestPlugins.build(build, "test.prepare.thrower", """
                public String name() { return "net-thrower"; }
                public Namespace namespace() { return Namespace.NET; } // ns-net is left out of this runtime's bundles
                public Isolation prepare(IsolationRequest r) { throw new IllegalStateException("cannot reach the network daemon"); }
                """), plugins);
        move(TestPlugins.build(build, "test.afterclone.thrower", """
                public String name() { return "cgroup-thrower"; }
                public Namespace namespace() { return Namespace.USER; } // ns-user is left out of this runtime's bundles
                public Isolation prepare(IsolationRequest r) {
                  return new Isolation() {
                    public void afterClone(ClonedChild child) throws Exception { throw new java.io.IOException("cgroup.procs: no such file"); }
                  };
                }
                """), plugins);
        move(TestPlugins.build(build, "test.uts.claimer", """
                public String name() { return "uts2"; }
                public Namespace namespace() { return Namespace.UTS; }
                public Isolation prepare(IsolationRequest r) { return new Isolation() {}; }
                """), plugins);
        // built against an SPI with a phase this core does not have: NoSuchFieldError at run time
        String newerPhase =
                "package io.isola.spi; public enum Phase { ENTRY, IDENTITY, NAMES, FILESYSTEM, PIVOT, LOCKDOWN, PROCESS, AFTER_EXEC }";
        move(TestPlugins.build(build, "test.future.phase", """
                public String name() { return "future"; }
                public Namespace namespace() { return Namespace.TIME; } // never cloned: contribute fails first
                public Isolation prepare(IsolationRequest r) {
                  return new Isolation() {
                    public void contribute(ChildSteps steps) { steps.add(Phase.AFTER_EXEC, Steps.chdir("/")); }
                  };
                }
                """, "io/isola/spi/Phase.java", newerPhase), plugins);
        // the built-ins without ns-user and ns-net, whose namespaces the throwers claim: every
        // namespace type has an owner among the shipped bundles, and a built-in always wins
        Path bundles = Files.createDirectory(work.resolve("bundles"));
        try (var jars = Files.list(BUNDLES)) {
            for (Path jar : jars.filter(j -> !j.getFileName().toString().startsWith("isola-ns-user-")
                            && !j.getFileName().toString().startsWith("isola-ns-net-"))
                    .toList()) {
                Files.copy(jar, bundles.resolve(jar.getFileName()));
            }
        }
        isola = IsolaRuntime.withBundles(bundles)
                .plugins(plugins)
                .pollInterval(Duration.ofMillis(100))
                .start();
        assertTrue(
                isola.awaitIsolators(
                        n -> n.containsAll(Set.of("net-thrower", "cgroup-thrower", "future")), Duration.ofSeconds(20)),
                () -> "plugins not registered: " + isola.plugins());
    }

    @AfterAll
    static void stop() throws Exception {
        if (isola != null) {
            isola.close();
        }
        try (var paths = Files.walk(work)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aPluginThatThrowsInPrepareIsNamedWithItsBundle() {
        RootOnly.require();
        IsolaException e = assertThrows(IsolaException.class, () -> isola.start(spec("net-thrower")));
        assertEquals(
                "isolator \"net-thrower\" failed in prepare: cannot reach the network daemon"
                        + " (bundle test.prepare.thrower 1.0.0)",
                e.getMessage());
        builtInsStillWork();
    }

    @Test
    void aPluginThatThrowsAfterTheCloneIsNamedAndTheCommandNeverRuns() throws Exception {
        RootOnly.require();
        Path marker = work.resolve("ran");
        ContainerSpec spec = ContainerSpec.builder("touch", marker.toString())
                .hostname("good")
                .isolators(Set.of("uts", "pid", "mount", "cgroup-thrower"))
                .build();
        IsolaException e = assertThrows(IsolaException.class, () -> isola.start(spec));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "isolator \"cgroup-thrower\" failed in after clone: cgroup.procs: no such file"
                                        + " (bundle test.afterclone.thrower 1.0.0); the container's process was refused at the gate"),
                e.getMessage());
        assertTrue(Files.notExists(marker), "the command ran in a half-configured container");
        builtInsStillWork();
    }

    @Test
    void aPluginClaimingANamespaceThatIsTakenIsRejectedNamingBothBundles() {
        PluginStatus row = isola.plugins().stream()
                .filter(p -> p.bundle().equals("test.uts.claimer"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                row.state()
                        .matches("rejected: isolator \"uts2\" claims the CLONE_NEWUTS namespace, which isolator \"uts\""
                                + " of bundle io\\.isola\\.ns\\.uts \\S+ owns"),
                row.state());
        assertTrue(!isola.defaultIsolators().contains("uts2"), isola.defaultIsolators()::toString);
        RootOnly.require();
        builtInsStillWork();
    }

    @Test
    void aPluginContributingToAnUnknownPhaseIsNamedWithItsBundle() {
        RootOnly.require();
        IsolaException e = assertThrows(IsolaException.class, () -> isola.start(spec("future")));
        assertTrue(
                e.getMessage()
                        .startsWith("isolator \"future\" contributed a step to a phase this runtime does not know ("),
                e.getMessage());
        assertTrue(
                e.getMessage()
                        .endsWith("known phases: ENTRY, IDENTITY, NAMES, FILESYSTEM, PIVOT, LOCKDOWN, PROCESS"
                                + " (bundle test.future.phase 1.0.0)"),
                e.getMessage());
        builtInsStillWork();
    }

    private static ContainerSpec spec(String plugin) {
        return ContainerSpec.builder("sh", "-c", PROBE)
                .hostname("good")
                .isolators(Set.of("uts", "pid", "mount", plugin))
                .build();
    }

    private static void builtInsStillWork() {
        try {
            ExitStatus status = isola.run(ContainerSpec.builder("sh", "-c", PROBE)
                    .hostname("good")
                    .isolators(BUILT_IN)
                    .build());
            assertEquals(ExitStatus.exited(0), status);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void move(Path jar, Path dir) throws Exception {
        Files.move(jar, dir.resolve(jar.getFileName()));
    }

    static List<String> names() {
        return List.copyOf(isola.defaultIsolators());
    }
}
