package io.isola.internal.launch;

import io.isola.internal.chain.ClonePlan;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.Native;
import java.util.List;
import java.util.TreeSet;

/** The planner's side of a {@link RemoteClone}: what a plan can carry, and its fds placed to travel. */
final class RemoteClones {

    private static final int F_DUPFD_CLOEXEC = 1030;

    private RemoteClones() {}

    /**
     * Throws {@link RemoteClone.Unsupported} when the program would name fds of this process
     * other than the protocol's: they would mean nothing, or something else, in the cloning one.
     */
    static void requirePlannable(List<Integer> kept, List<Integer> protocolFds, StdioPlan stdio) {
        TreeSet<Integer> foreign = new TreeSet<>(kept);
        protocolFds.forEach(foreign::remove);
        if (!foreign.isEmpty()) {
            throw new RemoteClone.Unsupported("the container keeps the planner's fds " + foreign
                    + " (a joined namespace, a terminal, preserved fds or the /proc of an AppArmor profile), which a clone plan"
                    + " cannot carry");
        }
        for (int stream = 0; stream < 3; stream++) {
            if (stdio.childFds[stream] >= 0 || stdio.containerPty() != null) {
                throw new RemoteClone.Unsupported("the container's stream " + stream
                        + " is not the cloning process's own, which a clone plan needs");
            }
        }
    }

    /**
     * A close-on-exec copy of {@code fd} numbered from {@link ClonePlan#FD_FLOOR} up (the number
     * the cloning process will give it), {@code fd} itself closed.
     */
    static int lift(int fd) {
        Native n = Native.get();
        try {
            return n.check(
                    "fcntl F_DUPFD_CLOEXEC " + fd + " from " + ClonePlan.FD_FLOOR,
                    n.libc().fcntl(fd, F_DUPFD_CLOEXEC, ClonePlan.FD_FLOOR));
        } finally {
            Fds.closeQuietly(fd);
        }
    }
}
