package io.isola.internal.launch;

import io.isola.api.IsolaException;
import io.isola.internal.chain.ClonePlan;
import io.isola.internal.nativ.Pidfd;
import java.util.List;

/**
 * Spec extension: another process clones the child (the thin OCI {@code create}, issue 17). The
 * planner (the resident server) prepares, composes and runs the protocol as ever, but hands the
 * {@link ClonePlan} and its fds to that process, which clones in its own process tree (an
 * engine's conmon or shim must be the container's ancestor) and reports the pid. The planner is
 * then not the child's parent: it can signal it, not reap it; the other process reaps it when
 * the create fails.
 *
 * @param cloner passes the plan to the cloning process and waits for the child's pid
 * @param signals the signals the cloning process handles: the child resets them to the default as well
 * @param fdFloor the lowest fd number the plan's fds may take: the cloning process holds none from
 *     there up (it told the planner so), which makes them free there whatever it inherited
 * @param fdLimit the cloning process's RLIMIT_NOFILE soft limit: it cannot hold an fd numbered
 *     this or higher, so a plan's fd that the planner's table numbers so (a busy planner's lowest
 *     free number above the floor can be far above it) is refused, naming the limit
 */
public record RemoteClone(Cloner cloner, List<Integer> signals, int fdFloor, int fdLimit) {

    public RemoteClone {
        signals = List.copyOf(signals);
        if (fdFloor < ClonePlan.FIRST_FD) {
            throw new IllegalArgumentException(
                    "remote clone fd floor " + fdFloor + ": expected " + ClonePlan.FIRST_FD + " or more");
        }
        if (fdLimit < 1) {
            throw new IllegalArgumentException("remote clone fd limit " + fdLimit + ": expected 1 or more");
        }
    }

    /** The way to the cloning process. */
    @FunctionalInterface
    public interface Cloner {
        /**
         * Passes {@code plan} and its fds to the cloning process and waits for its child, held by
         * a pidfd opened while it was that process's unreaped child (so never a process whose pid
         * was reused, or one the cloning process named falsely); throws when the process could
         * not clone, has gone, or reported a pid that is not its child.
         */
        Pidfd clone(ClonePlan plan);
    }

    /**
     * Thrown, before anything is cloned, when a container needs what a plan cannot carry (fds of
     * the planner's other than the protocol's: a joined namespace, a terminal, preserved fds).
     */
    public static final class Unsupported extends IsolaException {
        public Unsupported(String why) {
            super(why);
        }
    }
}
