package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ExecFailedException;
import io.isola.internal.nativ.Errno;
import io.isola.testing.RecordingSyscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCI {@code start}'s side of the gate ({@link GateOpener}) against {@link RecordingSyscalls}: a
 * created child played through its status FIFO's records, the host's calls read as text.
 */
class GateOpenerTest {

    private static final int STATUS = 100, GATE = 101, EACCES = 13;

    private final RecordingSyscalls host = new RecordingSyscalls();

    @TempDir
    Path stateDir;

    @Test
    void theStatusIsOpenBeforeTheGateIsWrittenAndTheCommandRunsAtEof() throws IOException {
        save("/bin/true\0");
        host.reads(STATUS, 0); // the gate record; then EOF: the exec succeeded
        GateOpener.open(stateDir, Duration.ofSeconds(5), host);
        assertEquals(
                List.of(
                        "open(\"" + stateDir.resolve(GateFifos.STATUS) + "\", 04000, 00) = " + STATUS,
                        "open(\"" + stateDir.resolve(GateFifos.GATE) + "\", 04001, 00) = " + GATE,
                        "write(" + GATE + ", 10 bytes)",
                        "close(" + GATE + ")",
                        "read(" + STATUS + ") = 1 records",
                        "read(" + STATUS + ") = EOF",
                        "close(" + STATUS + ")"),
                host.calls());
        assertEquals(Set.of(), host.openFds());
    }

    /** As execvp: ENOENT of one candidate gives way to a more telling errno of another. */
    @Test
    void everyCandidateFailedGivesTheMostTellingErrno() throws IOException {
        save("/usr/bin/app\0/bin/app\0");
        host.reads(STATUS, 0, Errno.ENOENT, EACCES);
        ExecFailedException e =
                assertThrows(ExecFailedException.class, () -> GateOpener.open(stateDir, Duration.ofSeconds(5), host));
        assertEquals("EACCES", e.errnoName());
        assertEquals(Set.of(), host.openFds());
    }

    private void save(String candidates) throws IOException {
        Files.write(stateDir.resolve(GateFifos.PAYLOAD), candidates.getBytes(StandardCharsets.UTF_8));
    }
}
