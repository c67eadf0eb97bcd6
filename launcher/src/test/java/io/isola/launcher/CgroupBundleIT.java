package io.isola.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.ResourceControl;
import io.isola.api.Resources;
import io.isola.api.Stdio;
import io.isola.launcher.framework.FelixRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cgroup isolator as a bundle in Felix: its limits apply and its facet reaches the application. */
class CgroupBundleIT {

    private static final Path BUNDLES = Path.of(System.getProperty("isola.bundles", "target/bundles"));
    private static final Set<String> ISOLATORS = Set.of("pid", "mount", "cgroup");

    @Test
    void aLimitedContainerRunsThroughTheCgroupBundle() throws Exception {
        RootOnly.require();
        try (FelixRuntime felix = FelixRuntime.start(BUNDLES);
                Isola isola = Isola.builder()
                        .isolatorSource(felix.isolators())
                        .defaultIsolators(ISOLATORS)
                        .build()) {
            felix.requireIsolators(ISOLATORS, Duration.ofSeconds(5));
            ContainerSpec spec = ContainerSpec.builder(
                            "sh",
                            "-c",
                            "grep ':memory:' /proc/self/cgroup; cat /sys/fs/cgroup/pids/pids.max; find /sys/fs/cgroup/memory -mindepth 1 -type d | wc -l")
                    .with(Resources.builder().pidsLimit(42).memory("64m").build())
                    .stdout(Stdio.PIPE)
                    .build();
            try (Container container = isola.start(spec)) {
                ResourceControl control = container.facet(ResourceControl.class).orElseThrow();
                String output = new String(container.stdout().readAllBytes(), UTF_8);
                assertEquals(ExitStatus.exited(0), container.waitFor());
                // its own cgroup as the root, its limit, and no cgroup of the host's below it
                assertTrue(output.matches("\\d+:memory:/\n42\n0\n"), output);
                assertEquals(false, control.oomKilled());
            }
        }
    }

    @Test
    void theCliReportsAnOomKillInOneLineAndExits137(@TempDir Path root) {
        RootOnly.require();
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/perl")), "needs perl (Debian's perl-base) to allocate memory");
        StringWriter err = new StringWriter();
        int status = Main.execute(
                new String[] {
                    "--root", root.toString(), "run", "--memory", "32m", "--", "perl", "-e", "$x = 'a' x (64 << 20)"
                },
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertEquals(137, status, err::toString);
        assertTrue(
                err.toString()
                        .matches("isola: container \\w+ ran out of memory \\(limit 32m\\): the kernel killed it\n"),
                err::toString);

        err.getBuffer().setLength(0);
        status = Main.execute(
                new String[] {
                    "--root", root.toString(), "run", "--memory", "32m", "--", "perl", "-e", "$x = 'a' x (8 << 20)"
                },
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertEquals(0, status, err::toString);
        assertEquals("", err.toString());
    }
}
