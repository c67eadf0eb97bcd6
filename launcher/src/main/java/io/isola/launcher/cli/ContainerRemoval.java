package io.isola.launcher.cli;

import io.isola.launcher.volume.VolumeStore;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.ProcessIdentity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes containers with everything they hold: their state and cgroup ({@link Lifecycle#remove}),
 * the writable layer an image's container kept, and, when no live monitor released them, what
 * the plugins hold for them ({@link LeftoverSweep}). Also what {@code ps} and {@code list} do with
 * a --rm container whose monitor died before removing it: remove it, as its monitor would have.
 */
final class ContainerRemoval {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerRemoval.class);

    private final Lifecycle lifecycle;
    /** The command line's {@code --config} (null: none), for the sweep. */
    private final Path config;

    private boolean sweepNeeded;

    ContainerRemoval(Lifecycle lifecycle, Path config) {
        this.lifecycle = lifecycle;
        this.config = config;
    }

    /** {@code rm [-f] reference}. */
    ContainerState remove(String reference, boolean force) throws InterruptedException {
        return remove(reference, force, false);
    }

    /** {@code rm [-f] [-v] reference}: with {@code anonymousVolumes}, also the anonymous volumes only it used. */
    ContainerState remove(String reference, boolean force, boolean anonymousVolumes) throws InterruptedException {
        ContainerState removed = lifecycle.remove(reference, force);
        ContainerLayerRemoval.after(removed);
        if (anonymousVolumes && removed != null) {
            VolumeStore.fromEnvironment().removeAnonymous(removed, lifecycle.store());
        }
        sweepNeeded |= unmonitored(removed);
        return removed;
    }

    /** The containers, up to date, less those run with --rm that nobody else will remove: they are removed now. */
    List<ContainerState> listRemovingAbandoned() throws InterruptedException {
        List<ContainerState> shown = new ArrayList<>();
        for (ContainerState state : lifecycle.list()) {
            if (!Lifecycle.abandoned(state)) {
                shown.add(state);
                continue;
            }
            try {
                remove(state.id(), false, true); // run with --rm: its anonymous volumes go with it, as Docker's
                LOG.info(
                        "removed container {}: it was run with --rm and its monitor died before removing it",
                        state.id());
            } catch (RuntimeException e) {
                LOG.warn("cannot remove container {}, run with --rm: {}", state.id(), e.getMessage());
                shown.add(state);
            }
        }
        return shown;
    }

    /** Releases what removed containers' dead monitors left to the plugins, if any was removed. */
    void finish() {
        if (sweepNeeded) {
            sweepNeeded = false;
            LeftoverSweep.run(config);
        }
    }

    /**
     * Whether no monitor of {@code state} released its resources: the state cannot say, or its
     * monitor is gone without having recorded the exit (a monitor records it before it closes the
     * container, so one that did is taken to have finished).
     */
    private static boolean unmonitored(ContainerState state) {
        if (state.isUnreadable()) {
            return true;
        }
        if (state.bundle() != null) {
            return LeftoverSweep.neededAfter(state); // an OCI container's own process was its monitor
        }
        ProcessIdentity monitor = state.isola() == null ? null : state.isola().monitor();
        return monitor != null && !monitor.isAlive() && state.isola().exitCode() == null;
    }
}
