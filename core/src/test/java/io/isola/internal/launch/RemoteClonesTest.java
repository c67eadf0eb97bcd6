package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.testing.RecordingSyscalls;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The planner's fds made ready to travel with a clone plan ({@link RemoteClones}), through the seam. */
class RemoteClonesTest {

    private final RecordingSyscalls host = new RecordingSyscalls();

    @Test
    void aLiftedFdIsACloseOnExecCopyFromTheClonersFloorAndTheOriginalIsClosed() {
        int[] pipe = host.pipe();
        int lifted = RemoteClones.lift(host, pipe[0], cloningFrom(77));
        assertEquals(
                List.of("pipe2(O_CLOEXEC) = [100, 101]", "fcntl(100, F_DUPFD_CLOEXEC, 77) = 102", "close(100)"),
                host.calls());
        assertEquals(Set.of(101, lifted), host.openFds());
    }

    @Test
    void aFloorAmongTheStandardStreamsIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> cloningFrom(2));
        assertEquals("remote clone fd floor 2: expected 3 or more", refused.getMessage());
    }

    private static RemoteClone cloningFrom(int fdFloor) {
        return new RemoteClone(
                plan -> {
                    throw new AssertionError("cloned");
                },
                List.of(),
                fdFloor);
    }
}
