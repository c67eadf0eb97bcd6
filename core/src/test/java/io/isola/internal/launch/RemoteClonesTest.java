package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.internal.chain.ClonePlan;
import io.isola.testing.RecordingSyscalls;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The planner's fds made ready to travel with a clone plan ({@link RemoteClones}), through the seam. */
class RemoteClonesTest {

    private final RecordingSyscalls host = new RecordingSyscalls();

    @Test
    void aLiftedFdIsACloseOnExecCopyFromThePlansFloorAndTheOriginalIsClosed() {
        int[] pipe = host.pipe();
        int lifted = RemoteClones.lift(host, pipe[0]);
        assertEquals(
                List.of(
                        "pipe2(O_CLOEXEC) = [100, 101]",
                        "fcntl(100, F_DUPFD_CLOEXEC, " + ClonePlan.FD_FLOOR + ") = 102",
                        "close(100)"),
                host.calls());
        assertEquals(Set.of(101, lifted), host.openFds());
    }
}
