package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.IsolaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's side of the monitor's handshake when the monitor does not start the container: its
 * state directory (and the log in it) is removed right after, so what the monitor said must reach
 * the user in the error itself. The monitors here are shells that behave as a failed JVM would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitorSpawnTest {

    @TempDir
    Path stateDir;

    private IsolaException spawnFails(String script) {
        return spawnFails(script, Duration.ofSeconds(30));
    }

    private IsolaException spawnFails(String script, Duration timeout) {
        return assertThrows(
                IsolaException.class, () -> MonitorProcess.spawn(List.of("sh", "-c", script), stateDir, timeout));
    }

    @Test
    void aMonitorThatDiesBeforeAnsweringIsReportedWithItsExitStatusAndLog() {
        IsolaException e = spawnFails("echo 'Error occurred during initialization of VM' >&2;"
                + " echo 'java.lang.OutOfMemoryError: Metaspace' >&2; exit 3");
        assertEquals(
                "the monitor process ended (exit status 3) without starting the container; its log:\n"
                        + "  Error occurred during initialization of VM\n"
                        + "  java.lang.OutOfMemoryError: Metaspace",
                e.getMessage());
    }

    @Test
    void aMonitorKilledBySignalWithAnEmptyLogSaysSo() {
        IsolaException e = spawnFails("kill -KILL $$");
        assertEquals(
                "the monitor process ended (killed by signal 9) without starting the container; its log is empty",
                e.getMessage());
    }

    @Test
    void onlyTheEndOfALongLogIsQuoted() {
        IsolaException e = spawnFails("for i in $(seq 1 100); do echo \"line $i\" >&2; done; exit 1");
        String message = e.getMessage();
        assertTrue(message.endsWith("  line 99\n  line 100"), message);
        assertTrue(message.contains("its log (its last 20 lines):\n  line 81\n"), message);
        assertFalse(message.contains("line 80\n"), message);
    }

    @Test
    void aMonitorThatAnswersSomethingElseIsStoppedAndQuoted() throws Exception {
        Path pidFile = stateDir.resolve("pid");
        IsolaException e = spawnFails(
                "echo $$ >" + pidFile + "; echo 'WARNING: something on stdout'; echo 'started 1'; exec sleep 60");
        assertEquals(
                "the monitor process answered \"WARNING: something on stdout\" instead of starting the container;"
                        + " its log is empty",
                e.getMessage());
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "monitor " + pid + " stopped");
    }

    @Test
    void aMonitorThatDoesNotAnswerInTimeIsQuotedToo() {
        IsolaException e = spawnFails("echo 'booting the framework' >&2; exec sleep 60", Duration.ofSeconds(2));
        assertEquals(
                "the monitor did not start the container within 2 s; its log:\n  booting the framework",
                e.getMessage());
    }
}
