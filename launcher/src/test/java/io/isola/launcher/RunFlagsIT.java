package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.launcher.image.ImageArchives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's {@code run} flags for how a container is stopped and for its kernel objects, as a user
 * sees them: {@code --stop-signal}, {@code --stop-timeout} and an image's StopSignal, {@code
 * --sysctl}, {@code --shm-size}, {@code --oom-score-adj}, {@code --cidfile} and {@code -u UID}; verbs on
 * several containers, the nearest option to a mistyped one, and update's limits kept by a later start.
 * Each container reports what it sees in its log (an in-process run's output is the JVM's own).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunFlagsIT {

    /** A shell that reports "ready" once its trap for {@code signal} is set, then exits with {@code code} on it. */
    private static String trapping(String signal, int code) {
        return "trap 'echo got " + signal + "; exit " + code + "' " + signal
                + "; echo ready; while :; do sleep 0.1; done";
    }

    @TempDir
    Path tmp;

    private InProcessCli cli;

    @BeforeEach
    void setUp() {
        cli = new InProcessCli(tmp);
    }

    @AfterEach
    void tearDown() {
        cli.close();
    }

    @Test
    void stopSendsTheContainersStopSignalAndInspectShowsIt() throws Exception {
        // the shell as PID 1 ignores SIGTERM: only SIGUSR1 ends it with 3 before the 30 s are up
        cli.ok(
                "run",
                "-d",
                "--name",
                "usr1",
                "--stop-signal",
                "SIGUSR1",
                "--stop-timeout",
                "30",
                "--",
                "sh",
                "-c",
                trapping("USR1", 3));
        awaitLog("usr1", "ready\n");
        assertEquals("SIGUSR1 30\n", cli.ok("inspect", "-f", "{{.Config.StopSignal}} {{.Config.StopTimeout}}", "usr1"));
        assertEquals("usr1\n", cli.ok("stop", "usr1"));
        assertEquals("3\n", cli.ok("inspect", "-f", "{{.State.ExitCode}}", "usr1"));
        assertEquals("ready\ngot USR1\n", cli.ok("logs", "usr1"));
        cli.fails("--stop-signal: signal \"SIGNOPE\"", "run", "--stop-signal", "SIGNOPE", "--", "true");
    }

    @Test
    void anImagesStopSignalIsUsedUnlessTheRunSaysOtherwise() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        cli.ok(
                "image",
                "import",
                ImageArchives.dockerSaveWithConfig(
                                tmp.resolve("img.tar"),
                                "test/stopsignal:1",
                                List.of("sh", "-c", trapping("USR2", 4)),
                                Map.of("StopSignal", "\"SIGUSR2\"", "Labels", "{\"team\":\"web\"}"))
                        .toString());
        assertEquals(
                "test/stopsignal\n", cli.ok("images", "--filter", "label=team=web", "--format", "{{.Repository}}"));
        assertEquals("", cli.ok("images", "--filter", "label=team=db", "-q"));
        cli.ok("run", "-d", "--name", "usr2", "test/stopsignal:1");
        awaitLog("usr2", "ready\n");
        assertEquals("SIGUSR2\n", cli.ok("inspect", "-f", "{{.Config.StopSignal}}", "usr2"));
        cli.ok("stop", "-t", "30", "usr2");
        assertEquals("4\n", cli.ok("inspect", "-f", "{{.State.ExitCode}}", "usr2"));
    }

    @Test
    void sysctlShmSizeAndOomScoreReachOnlyTheContainer() throws Exception {
        Path hostPorts = Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start");
        String hostValue = Files.readString(hostPorts);
        cli.ok(
                "run",
                "-d",
                "--name",
                "kernel",
                "--sysctl",
                "net.ipv4.ip_unprivileged_port_start=99",
                "--sysctl",
                "kernel.shmmni=1234",
                "--shm-size",
                "128m",
                "--oom-score-adj",
                "500",
                "--",
                "sh",
                "-c",
                "cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni /proc/self/oom_score_adj;"
                        + " df -k /dev/shm | tail -n 1 | awk '{print $2}'; grep -c ' /dev/shm ' /proc/self/mounts");
        assertEquals("0\n", cli.ok("wait", "kernel"));
        assertEquals(
                List.of("99", "1234", "500", "131072", "1"),
                cli.ok("logs", "kernel").lines().toList());
        assertEquals(hostValue, Files.readString(hostPorts), "the host's value is left alone");

        cli.fails(
                "--sysctl net.ipv4.ip_forward: the container shares the host's network",
                "run",
                "--network",
                "host",
                "--sysctl",
                "net.ipv4.ip_forward=1",
                "--",
                "true");
        cli.fails("sysctl \"vm.swappiness\": not namespaced", "run", "--sysctl", "vm.swappiness=1", "--", "true");
        cli.fails("--shm-size \"lots\"", "run", "--shm-size", "lots", "--", "true");
        cli.fails("--oom-score-adj 2000: expected -1000 to 1000", "run", "--oom-score-adj", "2000", "--", "true");
    }

    @Test
    void cidfileHoldsTheIdAndIsNeverOverwritten() throws Exception {
        Path cid = tmp.resolve("cid");
        String id = cli.ok("run", "-d", "--name", "taken", "--cidfile", cid.toString(), "--", "sleep", "1000")
                .strip();
        assertEquals(id, Files.readString(cid));
        cli.fails(
                "--cidfile " + cid + ": the file exists",
                "run",
                "-d",
                "--cidfile",
                cid.toString(),
                "--",
                "sleep",
                "1000");
        assertEquals(List.of(id), cli.ok("ps", "-a", "-q", "--no-trunc").lines().toList(), "no second container");
        assertEquals(id, Files.readString(cid));

        Path lost = tmp.resolve("lost");
        cli.fails("taken", "run", "-d", "--cidfile", lost.toString(), "--name", "taken", "--", "true");
        assertFalse(Files.exists(lost), "a run that made no container leaves no cidfile");
    }

    @Test
    void aUidAloneTakesItsGroupsFromTheImagesPasswd() throws Exception {
        assumeTrue(
                Files.isRegularFile(ImageArchives.BUSYBOX),
                "no " + ImageArchives.BUSYBOX + " (install busybox-static)");
        cli.ok(
                "image",
                "import",
                ImageArchives.dockerSaveWithUser(tmp.resolve("user.tar"), "test/uid:1", null)
                        .toString());
        cli.ok("run", "-d", "--name", "uid", "-u", "1234", "test/uid:1", "cat", "/proc/self/status");
        assertEquals("0\n", cli.ok("wait", "uid"));
        List<String> status = cli.ok("logs", "uid").lines().toList();
        assertTrue(status.contains("Uid:\t1234\t1234\t1234\t1234"), status::toString);
        assertTrue(status.contains("Gid:\t1235\t1235\t1235\t1235"), status::toString);
        assertTrue(status.contains("Groups:\t50 1235 "), status::toString);
    }

    @Test
    void verbsOnSeveralContainersActOnEachAndReportTheOthers() {
        for (String name : List.of("one", "two")) {
            cli.ok("run", "-d", "--name", name, "--", "sleep", "1000");
        }
        assertTrue(
                cli.ok("stats", "--format", "{{.CPUPerc}} {{.NetIO}}", "one")
                        .matches("[0-9]+\\.[0-9]{2}% [0-9.]+[kMG]?B / [0-9.]+[kMG]?B\n"),
                cli.lastOut());
        assertEquals(1, cli.isola("kill", "-s", "KILL", "one", "nosuch", "two"), cli::lastErr);
        assertEquals("one\ntwo\n", cli.lastOut());
        assertTrue(cli.lastErr().contains("nosuch"), cli.lastErr());
        assertEquals(1, cli.isola("wait", "one", "nosuch", "two"), cli::lastErr);
        assertEquals("137\n137\n", cli.lastOut());
        assertEquals(1, cli.isola("rm", "one", "nosuch", "two"), cli::lastErr);
        assertEquals("one\ntwo\n", cli.lastOut());
        assertEquals(1, cli.lastErr().lines().count(), cli::lastErr);
        assertEquals("", cli.ok("ps", "-a", "-q"));
        cli.fails("unknown option: '--memroy'; did you mean --memory?", "run", "--memroy", "1m", "--", "true");
    }

    @Test
    void updatedLimitsOutliveAStopAndStart() throws Exception {
        cli.ok("run", "-d", "--name", "kept", "--memory", "64m", "--", "sleep", "1000");
        cli.ok("update", "--memory", "128m", "--pids-limit", "16", "--cpu-shares", "512", "kept");
        cli.ok("stop", "-t", "0", "kept");
        cli.ok("start", "kept");
        JsonNode stats = new ObjectMapper().readTree(cli.ok("stats", "--format", "json", "kept"));
        assertEquals(128L << 20, stats.get("MemoryLimit").asLong(), stats.toString());
        assertEquals(16, stats.get("PIDsLimit").asLong(), stats.toString());
        assertEquals(
                (128L << 20) + " 16 512\n",
                cli.ok(
                        "inspect",
                        "-f",
                        "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}",
                        "kept"));
    }

    /** Waits, 20 s at most, for the container's log to be {@code expected}. */
    private void awaitLog(String container, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cli.ok("logs", container).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, cli.ok("logs", container));
    }
}
