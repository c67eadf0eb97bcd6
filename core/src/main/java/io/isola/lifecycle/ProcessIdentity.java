package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.isola.internal.nativ.Pidfd;
import io.isola.internal.nativ.ProcessStartTime;
import java.time.Duration;

/**
 * A process named so that a reused pid is not mistaken for it: its pid and its start time (field
 * 22 of {@code /proc/<pid>/stat}, clock ticks after boot, read below the host's procfs handle:
 * {@link ProcessStartTime}), which no later process with the same pid can share.
 *
 * <p>The limit: a tick is 10 ms (USER_HZ 100), and a process that took the pid within the tick the
 * named one started in carries the same start time. A kernel hands out pids in turn, so that takes
 * the pid space (4 million by default) wrapping around within 10 ms of the process's start (or a
 * writer of ns_last_pid, which takes root); runc
 * has the same limit where it holds no pidfd. Only a pidfd held from the start closes it, which a
 * stored state cannot hold.
 *
 * @param pid the pid in the runtime's PID namespace, 0 for none
 * @param startTime the start time read when the process was known to be the right one
 */
public record ProcessIdentity(long pid, long startTime) {

    public static final ProcessIdentity NONE = new ProcessIdentity(0, 0);

    /** The identity of {@code pid} now; NONE if there is no such process. */
    public static ProcessIdentity of(long pid) {
        long start = startTimeOf(pid);
        return start < 0 ? NONE : new ProcessIdentity(pid, start);
    }

    /** This JVM's identity, read once: every container's state and every network attachment records it. */
    public static ProcessIdentity self() {
        return Self.IDENTITY;
    }

    private static final class Self {
        static final ProcessIdentity IDENTITY = of(ProcessHandle.current().pid());
    }

    /** Field 22 of /proc/pid/stat (below the host's procfs handle), or -1 if the process does not exist or is a zombie. */
    static long startTimeOf(long pid) {
        return ProcessStartTime.of(pid);
    }

    /**
     * Whether this very process still runs (not a zombie, not a newer process with its pid). A
     * start time below 0 (a state written when the process could not be read) never matches.
     */
    @JsonIgnore
    public boolean isAlive() {
        return pid > 0 && startTime >= 0 && startTimeOf(pid) == startTime;
    }

    /**
     * Sends {@code signal} if this process still runs; false if it does not. Through a pidfd that
     * is checked after it was opened, so the signal cannot reach a process that took the pid.
     */
    public boolean signal(int signal) {
        try (Pidfd process = Pidfd.openIfAny(pid)) {
            return process != null && isAlive() && process.signal(signal);
        }
    }

    /**
     * Waits until this process has exited, polling its start time every 20 ms (it need not be our
     * child, so it cannot be waited for); true if it did within {@code timeout}.
     */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            Thread.sleep(20);
        }
        return true;
    }
}
