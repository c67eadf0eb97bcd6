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

    /**
     * A busy planner's lowest free number above the floor can reach the cloning process's
     * RLIMIT_NOFILE, where that process could not place it (its fcntl failed with EINVAL after the
     * plan was sent): not plannable (the command runs in the cloning process), naming the limit,
     * nothing left open.
     */
    @Test
    void aLiftedFdAtTheClonersOpenFileLimitIsRefusedNamingIt() {
        int[] pipe = host.pipe();
        RemoteClone remote = new RemoteClone(
                plan -> {
                    throw new AssertionError("cloned");
                },
                List.of(),
                77,
                102);
        RemoteClone.Unsupported refused =
                assertThrows(RemoteClone.Unsupported.class, () -> RemoteClones.lift(host, pipe[0], remote));
        assertEquals(
                "the new process needs fd 102 in the calling process, whose open-file limit (RLIMIT_NOFILE) is"
                        + " 102: it can hold fds below 102 only (its free ones from 77 up were asked for);"
                        + " raise the limit (ulimit -n) to 103 or more",
                refused.getMessage());
        assertEquals(Set.of(101), host.openFds(), "the copy and the original closed");
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
                fdFloor,
                1024);
    }
}
