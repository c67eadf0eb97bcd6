package io.isola.lifecycle;

import io.isola.api.IsolaException;
import java.time.Duration;

/**
 * A container that is being created (a restart policy's run, a user's start) as {@code stop} sees
 * it: Docker's stop of a restarting container cancels the restart, so stop waits for that run to
 * start and then ends it, rather than return while it starts and let it run on.
 */
final class StartingRun {

    /** How long stop waits for a container being created (mounts, networks) to run, to stop it. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private StartingRun() {}

    /** {@code state}, or once its live monitor has started it (or it has failed to start) when it is being created. */
    static ContainerState awaitStarted(Lifecycle lifecycle, ContainerState state) throws InterruptedException {
        long deadline = System.nanoTime() + GRACE.toNanos();
        ContainerState current = state;
        while (current.status() == ContainerState.Status.CREATING) {
            if (System.nanoTime() >= deadline) {
                throw new IsolaException("cannot stop container " + state.id() + ": it has been starting for over "
                        + GRACE.toSeconds() + " s; its restart policy will not start it again, stop it once it runs");
            }
            Thread.sleep(20);
            ContainerState stored = lifecycle.store().read(state.id());
            if (stored == null) {
                return current.withStatus(ContainerState.Status.STOPPED); // it was new, and its start failed
            }
            current = lifecycle.refresh(stored); // stopped if its monitor died while creating it
        }
        return current;
    }
}
