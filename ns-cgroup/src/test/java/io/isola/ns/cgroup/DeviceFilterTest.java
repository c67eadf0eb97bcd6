package io.isola.ns.cgroup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Container;
import io.isola.api.ContainerSpec;
import io.isola.api.Devices;
import io.isola.api.Devices.Rule;
import io.isola.api.Isola;
import io.isola.api.Security;
import io.isola.testing.Outcome;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup v2 device filter (issue 21) on the real kernel. The containers run through the v2
 * driver on a cgroup2 hierarchy this test mounts, so their v1 devices cgroup (on this hybrid host)
 * is the root one, which allows every device: what they are refused, the BPF program refuses.
 */
class DeviceFilterTest {

    private static final String EPERM = "1";
    /** Opens each path given for reading and writing; prints "ok" or "denied", one a line (sh: perl -e opens /dev/null itself). */
    private static final String OPEN = "for f in \"$@\"; do (exec 3<>\"$f\") && echo ok || echo denied; done";

    @RegisterExtension
    static final Cgroup2Mount CGROUP2 = new Cgroup2Mount();

    @TempDir
    Path dir;

    @AfterEach
    void noLeftovers() throws Exception {
        assertEquals(List.of(), CgroupTesting.leftovers(CgroupTesting.PARENT));
        assertFalse(Files.exists(CGROUP2.path().resolve(CgroupTesting.PARENT)));
    }

    private static Isola onV2() {
        return CgroupTesting.runtime(
                new CgroupIsolator(CgroupTesting.PARENT, new CgroupV2Driver(CGROUP2.path(), HostCpus.ofThisHost())));
    }

    private static Outcome run(Isola isola, ContainerSpec.Builder spec) throws Exception {
        Outcome outcome = Outcome.of(isola, spec.build());
        System.out.println(outcome);
        return outcome;
    }

    @Test
    void aDenyRuleForDevNullMakesItUnopenableThoughV1WouldAllowIt() throws Exception {
        try (Isola isola = onV2()) {
            Outcome allowed = run(isola, ContainerSpec.builder("sh", "-c", OPEN, "open", "/dev/null", "/dev/zero"));
            assertEquals("ok\nok\n", allowed.out(), "the default list has null and zero: " + allowed);
            Outcome denied = run(
                    isola,
                    ContainerSpec.builder("sh", "-c", OPEN, "open", "/dev/null", "/dev/zero")
                            .with(Devices.builder()
                                    .rule(new Rule(false, 'c', 1, 3, "rwm"))
                                    .build()));
            assertEquals("denied\nok\n", denied.out(), "the rules omit /dev/null (the last one denies it): " + denied);
            assertTrue(denied.err().contains("/dev/null: Operation not permitted"), denied::toString);
            Outcome again = run(
                    isola,
                    ContainerSpec.builder("sh", "-c", OPEN, "open", "/dev/null")
                            .with(Devices.builder()
                                    .rule(new Rule(false, 'c', 1, 3, "rwm"))
                                    .rule("c 1:3 rw")
                                    .build()));
            assertEquals("ok\n", again.out(), "a later rule allows it again (the last match wins): " + again);
        }
    }

    @Test
    void aNodeOfADeviceNotInTheListCanBeMadeButNotOpened() throws Exception {
        String loop = loopDevice();
        Path node = dir.resolve("loop");
        String[] number = loop.split(":");
        String script = "system('mknod', '" + node + "', 'b', " + number[0] + ", " + number[1]
                + ") == 0 or die 'mknod failed';" + " print open(my $f, '<', '" + node
                + "') ? 'read ' : ($! + 0) . ' ', open(my $g, '>>', '" + node + "') ? 'write' : $! + 0";
        try (Isola isola = onV2()) {
            Outcome outcome = run(isola, ContainerSpec.builder("perl", "-e", script));
            assertEquals(EPERM + " " + EPERM, outcome.out(), "mknod kept (b *:* m), open refused: " + outcome);
            assertTrue(Files.exists(node));
            Files.delete(node);
            Outcome ruled = run(
                    isola,
                    ContainerSpec.builder("perl", "-e", script)
                            .with(Devices.builder()
                                    .rule("b " + number[0] + ":" + number[1] + " r")
                                    .build()));
            assertEquals(
                    "read " + EPERM,
                    ruled.out(),
                    "read allowed by the container's rule, write still refused: " + ruled);
            Files.delete(node);
            Outcome privileged = run(
                    isola,
                    ContainerSpec.builder("perl", "-e", script)
                            .with(Security.builder().privileged(true).build()));
            assertEquals("read write", privileged.out(), "no filter for a privileged container: " + privileged);
        }
    }

    @Test
    void onThisHybridHostTheContainersUnifiedCgroupHoldsTheFilterToo() throws Exception {
        CgroupIsolator detected = new CgroupIsolator(CgroupTesting.PARENT, null);
        Path unified = CgroupMounts.ofThisProcess().hierarchies().stream()
                .filter(Hierarchy::unified)
                .map(Hierarchy::mountPoint)
                .findFirst()
                .orElse(null);
        assumeTrue(unified != null && !(detected.driver() instanceof CgroupV2Driver), "not a hybrid host");
        String loop = loopDevice();
        try (Isola isola = CgroupTesting.runtime(detected)) {
            try (Container container =
                    isola.start(ContainerSpec.builder("sleep", "600").build())) {
                Path procs = unified.resolve(CgroupTesting.PARENT)
                        .resolve(container.id())
                        .resolve("cgroup.procs");
                // a host process that joins only the container's unified cgroup: its v1 devices cgroup stays the root's
                String join = "open(my $p, '>', '" + procs + "') or die; print $p $$; close($p) or die;"
                        + " print open(my $f, '<', '/dev/loop" + loop.split(":")[1] + "') ? 'ok' : $! + 0";
                Process probe = new ProcessBuilder("perl", "-e", join)
                        .redirectErrorStream(true)
                        .start();
                String out = new String(probe.getInputStream().readAllBytes(), UTF_8).trim();
                assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
                assertEquals(
                        EPERM, out, "the device filter in " + procs.getParent() + " refuses the host's loop device");
            }
        }
    }

    /** A loop device of the host that root may open, as MAJOR:MINOR (the sandbox may refuse its disks). */
    private static String loopDevice() throws Exception {
        for (int minor = 0; minor < 8; minor++) {
            Path device = Path.of("/dev/loop" + minor);
            if (Files.exists(device)) {
                try (FileInputStream open = new FileInputStream(device.toFile())) {
                    return "7:" + minor;
                } catch (IOException e) {
                    // not for us: try the next
                }
            }
        }
        assumeTrue(false, "no loop device on this host that root may open");
        return null;
    }
}
