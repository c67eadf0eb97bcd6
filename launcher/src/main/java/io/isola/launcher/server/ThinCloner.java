package io.isola.launcher.server;

import io.isola.api.IsolaException;
import io.isola.internal.chain.ClonePlan;
import io.isola.internal.launch.RemoteClone;
import io.isola.internal.nativ.NativeException;
import java.io.IOException;
import java.util.List;

/**
 * The server's side of a thin create's clone: the plan and its fds go to the client on its own
 * connection (the peer whose uid the server checked, never another), the pid comes back.
 */
final class ThinCloner implements RemoteClone.Cloner {

    /** How long a client may take to clone once it has the plan (a cold JVM on a busy host: seconds). */
    private static final long CLONE_MILLIS = 60_000;

    private final JvmConnection connection;

    private ThinCloner(JvmConnection connection) {
        this.connection = connection;
    }

    /** The spec extension by which the server's create has {@code connection}'s client clone, with its signals. */
    static RemoteClone of(JvmConnection connection, List<Integer> signals) {
        return new RemoteClone(new ThinCloner(connection), signals);
    }

    @Override
    public long clone(ClonePlan plan) {
        int pid;
        try {
            connection.sendPlan(plan.encode(), plan.fds());
            pid = connection.awaitCloned(CLONE_MILLIS);
        } catch (IOException e) {
            throw new IsolaException("the create's client did not clone the container: " + e.getMessage(), e);
        }
        if (pid == Integer.MIN_VALUE) {
            throw new IsolaException("the create's client could not clone the container's process");
        }
        if (pid < 0) {
            throw new NativeException("clone (in the create's client)", -pid);
        }
        if (pid == 0) {
            throw new IsolaException("the create's client reported pid 0");
        }
        return pid;
    }
}
