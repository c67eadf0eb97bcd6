package io.isola.launcher.server;

import io.isola.api.IsolaException;
import io.isola.internal.chain.ClonePlan;
import io.isola.internal.launch.RemoteClone;
import io.isola.internal.launch.StartupTrace;
import io.isola.internal.nativ.NativeException;
import io.isola.internal.nativ.Pidfd;
import java.io.IOException;
import java.util.List;

/**
 * The server's side of a thin create's or exec's clone: the plan and its fds go to the client on its own
 * connection (the peer whose uid the server checked, never another), the pid comes back.
 */
final class ThinCloner implements RemoteClone.Cloner {

    /** How long a client may take to clone once it has the plan (a cold JVM on a busy host: seconds). */
    private static final long CLONE_MILLIS = 60_000;

    private final JvmConnection connection;
    /** The client's pid, its connection's (SO_PEERCRED): the container must be its child. */
    private final long client;

    private ThinCloner(JvmConnection connection, long client) {
        this.connection = connection;
        this.client = client;
    }

    /**
     * The spec extension by which the server's create has {@code connection}'s client (pid
     * {@code client}, the connection's peer) clone, with its signals, the plan's fds numbered from
     * {@code fdFloor} up and below {@code fdLimit}, the client's RLIMIT_NOFILE.
     */
    static RemoteClone of(JvmConnection connection, long client, List<Integer> signals, int fdFloor, int fdLimit) {
        return new RemoteClone(new ThinCloner(connection, client), signals, fdFloor, fdLimit);
    }

    @Override
    public Pidfd clone(ClonePlan plan) {
        int pid;
        try {
            StartupTrace.mark("server plan ready");
            connection.sendPlan(plan.encode(), plan.fds());
            StartupTrace.mark("server plan sent");
            pid = connection.awaitCloned(CLONE_MILLIS);
            StartupTrace.mark("server pid received");
        } catch (IOException e) {
            throw new IsolaException("the client did not clone the container: " + e.getMessage(), e);
        }
        if (pid == Integer.MIN_VALUE) {
            throw new IsolaException("the client could not clone the container's process");
        }
        if (pid < 0) {
            throw new NativeException("clone (in the client)", -pid);
        }
        if (pid == 0) {
            throw new IsolaException("the client reported pid 0");
        }
        Pidfd checked = childOfClient(pid);
        StartupTrace.mark("server pid checked");
        return checked;
    }

    /**
     * A pidfd for {@code pid}, checked after it was opened to be the client's child: the client
     * reaps it only after the server's answer, so until then its pid cannot have been reused, and
     * the pidfd is that child's. A process the client merely named (it is not its child) is
     * refused before anything is done to it.
     */
    private Pidfd childOfClient(int pid) {
        Pidfd child = Pidfd.open(pid);
        long parent = ProcessHandle.of(pid)
                .flatMap(ProcessHandle::parent)
                .map(ProcessHandle::pid)
                .orElse(-1L);
        if (parent != client) {
            child.close();
            throw new IsolaException("the client (pid " + client + ") reported pid " + pid
                    + ", which is not its child (its parent is " + parent + "); expected the process it cloned");
        }
        return child;
    }
}
