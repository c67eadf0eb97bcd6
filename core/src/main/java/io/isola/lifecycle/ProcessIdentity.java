package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.isola.internal.nativ.Pidfd;
import io.isola.internal.nativ.ProcessStartTime;
import java.time.Duration;

/**
 * A process named so that a reused pid is not mistaken for it: its pid, its start time (field 22
 * of {@code /proc/<pid>/stat}, clock ticks after boot, read below the host's procfs handle:
 * {@link ProcessStartTime}) and, where the kernel has pidfs (Linux 6.9), the inode of its pidfd,
 * which no other process gets until the next boot.
 *
 * <p>Every check opens a pidfd first and compares after: once open, the pidfd names one process
 * whatever later takes its pid, and signals go through it. The start time alone has a limit: a
 * tick is 10 ms (USER_HZ 100), and a process that took the pid within the tick the named one
 * started in carries the same start time (pid_max is 32768 on many hosts, and root may set
 * ns_last_pid). The pidfs inode closes that; where it is unknown (a kernel before 6.9, a state
 * written by an older version) the start time is all there is, as runc has where it holds no
 * pidfd.
 *
 * @param pid the pid in the runtime's PID namespace, 0 for none
 * @param startTime the start time read when the process was known to be the right one
 * @param pidfsInode the inode of its pidfd on pidfs, read when its start time was; 0 when unknown
 */
public record ProcessIdentity(
        long pid,
        long startTime,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long pidfsInode) {

    public static final ProcessIdentity NONE = new ProcessIdentity(0, 0, 0);

    /** A process known by its pid and start time only. */
    public ProcessIdentity(long pid, long startTime) {
        this(pid, startTime, 0);
    }

    /** The identity of {@code pid} now; NONE if there is no such process. */
    public static ProcessIdentity of(long pid) {
        try (Pidfd process = Pidfd.openIfAny(pid)) {
            if (process == null) {
                return NONE;
            }
            long inode = process.pidfsInode();
            long start = startTimeOf(pid);
            // read after the pidfd was opened: its process's, unless that has ended since (its pid may be another's)
            return start < 0 || process.hasEnded() ? NONE : new ProcessIdentity(pid, start, inode);
        }
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
        try (Pidfd process = open()) {
            return process != null;
        }
    }

    /**
     * Sends {@code signal} if this process still runs; false if it does not. Through a pidfd that
     * is checked after it was opened, so the signal cannot reach a process that took the pid.
     */
    public boolean signal(int signal) {
        try (Pidfd process = open()) {
            return process != null && process.signal(signal);
        }
    }

    /**
     * Waits until this process has exited (it need not be our child: its pidfd is polled, nothing
     * is reaped); true if it did within {@code timeout}.
     */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        try (Pidfd process = open()) {
            return process == null || process.awaitEnd(timeout);
        }
    }

    /**
     * A pidfd of this process while it runs, else null. Opened first and compared after, so that
     * what was compared is the pidfd's process: the inode, then the start time, then that it had
     * not ended by the time the start time was read.
     */
    private Pidfd open() {
        if (pid <= 0 || startTime < 0) {
            return null;
        }
        Pidfd process = Pidfd.openIfAny(pid);
        if (process == null) {
            return null;
        }
        boolean same;
        try {
            long inode = pidfsInode == 0 ? 0 : process.pidfsInode();
            same = (inode == 0 || inode == pidfsInode) && startTimeOf(pid) == startTime && !process.hasEnded();
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
        if (!same) {
            process.close();
            return null;
        }
        return process;
    }
}
