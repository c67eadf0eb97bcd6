package io.isola.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Docker's {@code create} then {@code start}, beside the OCI create that engines call with a bundle. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DockerCreateIT {

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
    void createMakesAContainerThatStartRuns() throws Exception {
        String id = cli.ok("create", "--name", "made", "--memory", "64m", "--", "sh", "-c", "echo started; sleep 1000")
                .strip();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        assertEquals("created\n", cli.ok("inspect", "-f", "{{.State.Status}}", "made"));
        assertEquals("", cli.ok("ps", "-q"), "ps without -a shows running containers only");
        assertEquals("made Created\n", cli.ok("ps", "-a", "--format", "{{.Names}} {{.Status}}"));
        assertEquals("made\n", cli.ok("ps", "-a", "--filter", "status=created", "--format", "{{.Names}}"));

        assertEquals("made\n", cli.ok("start", "made"));
        assertEquals("running\n", cli.ok("inspect", "-f", "{{.State.Status}}", "made"));
        assertEquals(id, cli.ok("inspect", "-f", "{{.Id}}", "made").strip());
        String logs = "";
        for (int i = 0; i < 100 && !logs.contains("started"); i++) {
            Thread.sleep(100);
            logs = cli.ok("logs", "made");
        }
        assertEquals("started\n", logs);
        assertEquals((64L << 20) + "\n", cli.ok("inspect", "-f", "{{.HostConfig.Memory}}", "made"));
        cli.ok("stop", "-t", "0", "made");
        assertTrue(cli.ok("inspect", "-f", "{{.State.Status}}", "made").startsWith("exited"));
    }

    @Test
    void aBundleOrAnOciOptionMakesItTheOciVerb() {
        Path missing = tmp.resolve("no-bundle");
        cli.fails(missing.toString(), "create", "--bundle", missing.toString(), "oci-one");
        cli.fails(missing.toString(), "create", "-b", missing.toString(), "oci-two");
        cli.isola("ps", "-a", "-q");
        assertEquals("", cli.lastOut(), "neither became a Docker container");
    }
}
