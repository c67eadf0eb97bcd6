package io.isola.launcher.cli;

import io.isola.launcher.IsolaRuntime;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.SavedSpec;
import io.isola.spi.LeftoverSweeper;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every plugin's {@link LeftoverSweeper}, once a command has removed a container whose
 * monitor died: what that monitor would have released on the container's end (its network: veth,
 * address lease, NAT and port rules, pinned namespace) is released here instead. The framework is
 * booted for it only then (a warm server lends its own), so a command with nothing dead to remove
 * costs nothing more.
 */
public final class LeftoverSweep {

    private static final Logger LOG = LoggerFactory.getLogger(LeftoverSweep.class);
    /** The isolator whose plugin registers the sweeper of networks; awaited, as its service comes with it. */
    private static final String NET = "net";

    private LeftoverSweep() {}

    /**
     * Whether {@code removed} had an isolator whose plugin sweeps (the network's): a command that
     * removed one without a monitor sweeps, so that a container without a network boots no framework.
     */
    public static boolean neededAfter(ContainerState removed) {
        SavedSpec spec = removed == null || removed.isola() == null
                ? null
                : removed.isola().spec();
        return spec == null || spec.isolators() == null || spec.isolators().contains(NET);
    }

    /**
     * Never fails the command: what is not released now is retried by the next sweep.
     * {@code config}: the command line's {@code --config} (null: none).
     */
    public static void run(Path config) {
        try (IsolaRuntime runtime = IsolaRuntime.forSweeping(config)) {
            try {
                runtime.require(Set.of(NET));
            } catch (RuntimeException e) {
                LOG.debug("no network plugin to sweep with: {}", e.getMessage());
            }
            for (LeftoverSweeper sweeper : runtime.services(LeftoverSweeper.class)) {
                int released = sweeper.sweep();
                LOG.debug(
                        "{} released what {} dead containers held",
                        sweeper.getClass().getSimpleName(),
                        released);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("cannot release what dead containers left behind: {}", e.getMessage());
        }
    }
}
