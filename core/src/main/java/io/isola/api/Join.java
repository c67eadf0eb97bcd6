package io.isola.api;

/**
 * Spec extension for {@code exec}: instead of new namespaces, the process joins those of the
 * running process {@code pid} (every namespace whose {@code /proc/<pid>/ns} link differs from the
 * runtime's own; the user namespace first, then the kernel's order) and its cgroups. The process
 * that runs the command is created after the joins, so it is inside the container's PID
 * namespace. No isolators run for such a spec.
 *
 * <p>A container's process may end and its pid go to another process (a host process, another
 * container's) between the caller's look at it and the join: with {@code startTime} the runtime
 * holds the process by a pidfd, checks that it is still the one that started then, reads its
 * namespaces and cgroups, and checks that it has not ended meanwhile, refusing the exec
 * otherwise. Without one (0) the caller vouches that {@code pid} is the container's process. A
 * start time counts in 10 ms ticks, and a process that took the pid within the tick has it too:
 * {@code pidfsInode}, where the kernel has pidfs (Linux 6.9), tells them apart.
 *
 * @param pid the container's first process, in the runtime's PID namespace
 * @param startTime its start time (field 22 of {@code /proc/<pid>/stat}, as the container's state
 *     records it), or 0: whichever process has the pid
 * @param pidfsInode the inode of its pidfd on pidfs (unique until reboot, as the container's state
 *     records it), or 0: unchecked
 */
public record Join(long pid, long startTime, long pidfsInode) {

    public Join {
        if (pid <= 0) {
            throw new IllegalArgumentException("process id " + pid + ": expected a positive number");
        }
        if (startTime < 0) {
            throw new IllegalArgumentException(
                    "start time " + startTime + " of process " + pid + ": expected 0 (unchecked) or more");
        }
        if (pidfsInode < 0) {
            throw new IllegalArgumentException(
                    "pidfs inode " + pidfsInode + " of process " + pid + ": expected 0 (unchecked) or more");
        }
    }

    /** The process {@code pid} that started at {@code startTime} (0: unchecked). */
    public Join(long pid, long startTime) {
        this(pid, startTime, 0);
    }

    /** Whichever process has {@code pid} when the exec is launched: the caller vouches for it. */
    public Join(long pid) {
        this(pid, 0, 0);
    }
}
