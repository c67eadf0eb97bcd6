package io.isola.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.internal.nativ.ProcessStartTime;
import io.isola.testing.BoundProcFile;
import io.isola.testing.SameTickPidReuse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessIdentityTest {

    /**
     * A state may record -1 for a start time it could not read (a network attachment did); the
     * process with that pid is gone, whose start time also reads as -1, yet it must not look alive.
     */
    @Test
    void anUnreadStartTimeNeverMatchesAProcessThatIsGone() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        assertFalse(new ProcessIdentity(gone.pid(), -1).isAlive());
    }

    /** The command name (field 2) may hold spaces and parentheses; the fields are counted after the last ')'. */
    @Test
    void aCommandNameWithSpacesAndParenthesesIsReadPastIt(@TempDir Path dir) throws Exception {
        Path odd = Files.createSymbolicLink(dir.resolve("a) b (c"), Path.of("/bin/sleep"));
        Process sleeper = new ProcessBuilder(odd.toString(), "30").start();
        try {
            ProcessIdentity identity = ProcessIdentity.of(sleeper.pid());
            assertNotEquals(ProcessIdentity.NONE, identity);
            assertTrue(identity.isAlive());
            assertFalse(new ProcessIdentity(sleeper.pid(), identity.startTime() + 1).isAlive());
        } finally {
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
        }
        assertFalse(ProcessIdentity.of(sleeper.pid()).isAlive());
    }

    /**
     * A host process that took the pid of a container's ended process, with a file bound on its
     * plain /proc/PID/stat showing the container's start time (a container given a shared bind of
     * the host's /proc can mount one): kill, stop and rm -f must not take it for the container's
     * process and signal it.
     */
    @Test
    void aStartTimeBoundOnAHostProcessesStatDoesNotMakeItPassForTheContainers(@TempDir Path dir) throws Exception {
        Process host = new ProcessBuilder("sleep", "60").start();
        Path stat = Path.of("/proc", Long.toString(host.pid()), "stat");
        try {
            long real = ProcessIdentity.of(host.pid()).startTime();
            ProcessIdentity container = new ProcessIdentity(host.pid(), real - 1); // ended, its pid taken
            try (BoundProcFile forged =
                    BoundProcFile.bind(stat, BoundProcFile.statWithStartTime(host.pid(), real - 1), dir)) {
                assertTrue(
                        Files.readString(stat).contains(" " + (real - 1) + " "),
                        "the plain /proc shows the bound file");

                assertFalse(container.isAlive(), "the host process is not the container's");
                assertFalse(container.signal(15), "the host process is not signalled");
                assertTrue(host.isAlive(), "the host process still runs");
                assertEquals(real, ProcessIdentity.of(host.pid()).startTime(), "its real start time");
            }
        } finally {
            host.destroyForcibly();
            assertTrue(host.waitFor(10, TimeUnit.SECONDS));
        }
    }

    /**
     * A host process that took the pid of a container's ended process within the clock tick the
     * container's started in has the same pid and start time (the kernel hands out pids in turn:
     * with pid_max 32768 a busy host wraps, and root sets ns_last_pid): kill, stop and rm -f must
     * not take it for the container's process and signal it.
     */
    @Test
    void aProcessThatTookThePidWithinTheSameTickDoesNotPassForTheEndedOne() throws Exception {
        assumeTrue(ProcessIdentity.self().pidfsInode() > 0, "a kernel before 6.9: the start time is all there is");
        try (SameTickPidReuse<ProcessIdentity> reuse = SameTickPidReuse.force(ProcessIdentity::of)) {
            ProcessIdentity ended = reuse.recorded();
            assertEquals(reuse.pid(), ended.pid());
            assertEquals(reuse.startTime(), ended.startTime(), "the same pid and start time");

            assertFalse(ended.isAlive(), "the host process is not the ended one");
            assertFalse(ended.signal(15), "the host process is not signalled");
            assertTrue(ended.awaitExit(Duration.ZERO), "the ended process is not waited for");
            assertEquals(reuse.startTime(), ProcessStartTime.of(reuse.pid()), "the host process still runs");
        }
    }
}
