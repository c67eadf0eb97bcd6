package io.isola.launcher.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Resources;
import io.isola.launcher.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/** How command lines become specs; nothing is started. */
class RunCommandTest {

    private static ContainerSpec spec(String... args) {
        StringWriter sink = new StringWriter();
        ParseResult parsed =
                Main.commandLine(new PrintWriter(sink), new PrintWriter(sink)).parseArgs(args);
        RunCommand run = (RunCommand) parsed.subcommand().commandSpec().userObject();
        return run.spec();
    }

    /** As Docker's: HOME from the process user's /etc/passwd entry (no image: the host's files), TERM=xterm with -t; -e wins. */
    @Test
    void homeAndTermDefaultAsDockersDo() throws Exception {
        String rootHome = Files.readAllLines(Path.of("/etc/passwd")).stream()
                .filter(line -> line.startsWith("root:"))
                .findFirst()
                .orElseThrow()
                .split(":")[5];
        assertEquals(rootHome, spec("run", "true").env().get("HOME"));
        assertEquals("/", spec("run", "--user", "4242", "true").env().get("HOME"), "a uid without a passwd entry");
        assertEquals("/x", spec("run", "-e", "HOME=/x", "true").env().get("HOME"));
        assertEquals(null, spec("run", "true").env().get("TERM"));
        assertEquals("xterm", spec("run", "-t", "true").env().get("TERM"));
        assertEquals(
                "vt100", spec("run", "-t", "-e", "TERM=vt100", "true").env().get("TERM"));
    }

    @Test
    void allSixIsolatorsByDefault() {
        assertEquals(
                Set.of("uts", "ipc", "pid", "mount", "cgroup", "net"),
                spec("run", "true").isolators().orElseThrow());
    }

    @Test
    void negatedOptionsDropIsolatorsAndPositiveOnesKeepThem() {
        assertEquals(
                Set.of("uts", "pid", "cgroup", "net"),
                spec("run", "--no-ipc", "--no-mount", "--uts", "private", "--", "true")
                        .isolators()
                        .orElseThrow());
        assertEquals(
                Set.of(),
                spec("run", "--no-uts", "--no-ipc", "--no-pid", "--no-mount", "--no-cgroup", "--net", "host", "true")
                        .isolators()
                        .orElseThrow());
    }

    @Test
    void optionsAfterTheCommandBelongToTheCommand() {
        ContainerSpec spec = spec("run", "--hostname", "h", "sh", "-c", "echo --no-uts", "--id", "x");
        assertEquals(List.of("sh", "-c", "echo --no-uts", "--id", "x"), spec.command());
        assertEquals("h", spec.hostname().orElseThrow());
        assertTrue(spec.isolators().orElseThrow().contains("uts"));
    }

    @Test
    void settingsReachTheSpec() {
        ContainerSpec spec = spec(
                "run",
                "--hostname",
                "h",
                "--domainname",
                "d.example",
                "-w",
                "/tmp",
                "--id",
                "c1",
                "-e",
                "A=1=2",
                "-e",
                "EMPTY=",
                "--",
                "true");
        assertEquals("d.example", spec.domainname().orElseThrow());
        assertEquals("/tmp", spec.cwd());
        assertEquals("c1", spec.id().orElseThrow());
        assertEquals("1=2", spec.env().get("A"));
        assertEquals("", spec.env().get("EMPTY"));
    }

    @Test
    void aBareNameCopiesTheHostsValueOrNothing() {
        Map<String, String> env = spec("run", "-e", "PATH", "-e", "ISOLA_SURELY_UNSET_VARIABLE", "true")
                .env();
        assertEquals(System.getenv("PATH"), env.get("PATH"));
        assertFalse(env.containsKey("ISOLA_SURELY_UNSET_VARIABLE"));
    }

    @Test
    void badInputIsRejectedWithTheValue() {
        IllegalArgumentException noUts =
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--no-uts", "--hostname", "x", "true"));
        assertEquals("--hostname \"x\": needs a UTS namespace; drop --no-uts", noUts.getMessage());
        IllegalArgumentException env =
                assertThrows(IllegalArgumentException.class, () -> spec("run", "-e", "=v", "true"));
        assertEquals("environment \"=v\": expected NAME=VALUE or NAME", env.getMessage());
    }

    @Test
    void resourceFlagsBecomeTheResourcesExtension() {
        Resources r = spec(
                        "run",
                        "--memory",
                        "32m",
                        "--memory-swap",
                        "-1",
                        "--cpus",
                        "0.5",
                        "--cpu-shares",
                        "512",
                        "--cpuset-cpus",
                        "0",
                        "--pids-limit",
                        "20",
                        "true")
                .extension(Resources.class)
                .orElseThrow();
        assertEquals(32L << 20, r.memory().getAsLong());
        assertEquals(-1, r.memorySwap().getAsLong());
        assertEquals("0.5", r.cpus().orElseThrow().toPlainString());
        assertEquals(512, r.cpuShares().getAsInt());
        assertEquals("0", r.cpusetCpus().orElseThrow());
        assertEquals(20, r.pidsLimit().getAsLong());
        assertFalse(spec("run", "true").extension(Resources.class).isPresent());
    }

    @Test
    void v2FeatureFlagsBecomeTheResourcesExtension() {
        Resources r = spec(
                        "run",
                        "--memory",
                        "64m",
                        "--memory-reservation",
                        "32m",
                        "--oom-kill-group",
                        "--blkio-weight",
                        "300",
                        "true")
                .extension(Resources.class)
                .orElseThrow();
        assertEquals(32L << 20, r.memoryReservation().getAsLong());
        assertEquals(300, r.blkioWeight().getAsInt());
        assertTrue(r.oomKillGroup());
        assertEquals(
                "--device-read-bps \"/dev/null:1mb\": /dev/null is not a block device; expected one such as /dev/sda",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> spec("run", "--device-read-bps", "/dev/null:1mb", "true"))
                        .getMessage());
        assertEquals(
                "blkio weight 5: expected a number from 10 to 1000",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--blkio-weight", "5", "true"))
                        .getMessage());
    }

    @Test
    void badLimitsAreRejectedWithTheValueBeforeAnythingStarts() {
        assertEquals(
                "memory limit \"12q\": expected a number with an optional unit b, k, m, g or t (such as 512m)",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--memory", "12q", "true"))
                        .getMessage());
        assertEquals(
                "cpus \"-1\": expected a number from 0.01 to 1024",
                assertThrows(IllegalArgumentException.class, () -> spec("run", "--cpus", "-1", "true"))
                        .getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> spec("run", "--no-cgroup", "--pids-limit", "5", "true"))
                .getMessage()
                .endsWith("need a cgroup; drop --no-cgroup"));
    }
}
