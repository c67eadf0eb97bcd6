package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code isola update} as docker update: new limits for a running container's cgroup, the others kept. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContainerUpdateIT {

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
    void updateChangesTheLimitsOfARunningContainer() throws Exception {
        cli.ok("run", "-d", "--name", "limited", "--memory", "64m", "--pids-limit", "8", "--", "sleep", "1000");
        assertEquals(
                "limited\n", cli.ok("update", "--memory", "128m", "--pids-limit", "16", "--cpus", "0.5", "limited"));
        JsonNode stats = new ObjectMapper().readTree(cli.ok("stats", "--format", "json", "limited"));
        assertEquals(128L << 20, stats.get("MemoryLimit").asLong(), stats.toString());
        assertEquals(16, stats.get("PIDsLimit").asLong(), stats.toString());
        assertEquals("50000 100000", cpuQuota("limited"));

        assertEquals("limited\n", cli.ok("update", "--pids-limit", "-1", "limited")); // the memory limit stays
        stats = new ObjectMapper().readTree(cli.ok("stats", "--format", "json", "limited"));
        assertEquals(128L << 20, stats.get("MemoryLimit").asLong(), stats.toString());
        cli.fails("memory limit \"12q\"", "update", "--memory", "12q", "limited");
        cli.fails("give at least one limit", "update", "limited");
        cli.fails("--restart is not supported by isola", "update", "--restart", "always", "limited");
        cli.ok("stop", "-t", "0", "limited");
        cli.fails("cannot update container", "update", "--memory", "32m", "limited");
    }

    @Test
    void inspectShowsTheHostConfigAsDockerDoesAndUpdateChangesIt() throws Exception {
        int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        Path data = Files.createDirectory(tmp.resolve("data"));
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        cli.ok(
                "run",
                "-d",
                "--name",
                "configured",
                "--memory",
                "64m",
                "--cpus",
                "0.5",
                "--pids-limit",
                "8",
                "-v",
                data + ":/data:ro",
                "-v",
                shared + ":/shared:rshared",
                "-p",
                port + ":80",
                "--",
                "sleep",
                "1000");
        JsonNode inspected =
                new ObjectMapper().readTree(cli.ok("inspect", "configured")).get(0);
        JsonNode host = inspected.get("HostConfig");
        assertEquals(64L << 20, host.get("Memory").asLong(), host.toString());
        assertEquals(500_000_000L, host.get("NanoCpus").asLong(), host.toString());
        assertEquals(8, host.get("PidsLimit").asLong(), host.toString());
        assertEquals(
                "[\"" + data + ":/data:ro\",\"" + shared + ":/shared:rshared\"]",
                host.get("Binds").toString());
        assertEquals(
                "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"" + port + "\"}]}",
                host.get("PortBindings").toString());
        assertEquals(
                "{\"Type\":\"bind\",\"Source\":\"" + data + "\",\"Destination\":\"/data\",\"Mode\":\"ro\",\"RW\":false,"
                        + "\"Propagation\":\"rprivate\"}",
                inspected.get("Mounts").get(0).toString());
        assertEquals(
                "rshared", inspected.get("Mounts").get(1).get("Propagation").asText());
        cli.ok("update", "--memory", "128m", "configured");
        assertEquals(
                (128L << 20) + " 500000000\n",
                cli.ok("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", "configured"));
    }

    @Test
    void statsTakesDockersFormat() throws Exception {
        cli.ok("run", "-d", "--name", "watched", "--memory", "64m", "--", "sleep", "1000");
        String line = cli.ok(
                "stats", "--no-stream", "--format", "{{.Name}} {{.Container}} {{.PIDs}} {{.MemUsage}}", "watched");
        assertTrue(line.matches("watched watched 1 [0-9.]+[KMG]?i?B / 64MiB\n"), line);
        String table = cli.ok("stats", "--format", "table {{.Name}}\t{{.PIDs}}");
        assertEquals(
                List.of("NAME      PIDS", "watched   1"),
                table.lines().map(String::stripTrailing).toList());
        JsonNode json = new ObjectMapper().readTree(cli.ok("stats", "--format", "{{json .}}", "watched"));
        assertEquals("watched", json.get("Name").asText());
        assertTrue(json.get("NetIO").asText().matches("[0-9.]+[kMG]?B / [0-9.]+[kMG]?B"), json.toString());
        // Docker's BLOCK I/O: 16 KiB read past the page cache (O_DIRECT) by a process of the container
        cli.ok("exec", "watched", "dd", "if=/bin/sh", "of=/dev/null", "iflag=direct", "bs=4k", "count=4");
        JsonNode read = new ObjectMapper().readTree(cli.ok("stats", "--format", "{{json .}}", "watched"));
        assertTrue(read.get("BlockIO").asText().matches("[0-9.]+[kMG]B / [0-9.]+[kMG]?B"), read.toString());
        assertTrue(read.get("CPUPerc").asText().matches("[0-9]+\\.[0-9]{2}%"), "{{json .}} has the CPU %: " + read);
        String dockerTable = cli.ok("stats", "watched");
        assertEquals(
                List.of("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"),
                List.of(dockerTable.lines().findFirst().orElseThrow().strip().split(" {2,}")),
                "Docker's columns: " + dockerTable);
        assertTrue(
                dockerTable
                        .lines()
                        .skip(1)
                        .findFirst()
                        .orElseThrow()
                        .matches(
                                "[0-9a-f]{12} +watched +[0-9]+\\.[0-9]{2}% +[0-9.]+[KMG]?i?B / 64MiB +[0-9.]+% +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +[0-9.]+[kMG]B / [0-9.]+[kMG]?B +1"),
                dockerTable);
        cli.fails("can't evaluate field Nope", "stats", "--format", "{{.Nope}}", "watched");
    }

    /** "QUOTA PERIOD" in microseconds, from cpu.max (v2) or the v1 cfs files. */
    private String cpuQuota(String container) throws Exception {
        JsonNode paths =
                new ObjectMapper().readTree(cli.ok("inspect", container)).get(0).get("CgroupPaths");
        for (String v1 : List.of("cpu,cpuacct", "cpu")) {
            if (!paths.has(v1)) {
                continue;
            }
            Path dir = Path.of("/sys/fs/cgroup/" + v1 + paths.get(v1).asText());
            return Files.readString(dir.resolve("cpu.cfs_quota_us")).strip() + " "
                    + Files.readString(dir.resolve("cpu.cfs_period_us")).strip();
        }
        return Files.readString(Path.of("/sys/fs/cgroup" + paths.get("unified").asText(), "cpu.max"))
                .strip();
    }
}
