package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.api.ResourceControl;
import io.isola.launcher.IsolaRuntime;
import io.isola.lifecycle.ContainerState;
import io.isola.spi.support.ResourceControls;
import java.nio.file.Path;
import java.util.Set;

/**
 * The cgroups of running containers, reached by id from this new process: the runtime boots with
 * the cgroup bundle, whose {@link ResourceControls} service attaches to the cgroup each container's
 * state recorded. For pause, resume and stats.
 */
final class CgroupAccess implements AutoCloseable {

    private static final String ISOLATOR = "cgroup";

    private final IsolaRuntime runtime;
    private final ResourceControls controls;

    private CgroupAccess(IsolaRuntime runtime, ResourceControls controls) {
        this.runtime = runtime;
        this.controls = controls;
    }

    /** {@code config}: the command line's {@code --config} (null: none). */
    static CgroupAccess open(Path config) throws InterruptedException {
        IsolaRuntime runtime = IsolaRuntime.withIsolators(config, Set.of(ISOLATOR));
        try {
            ResourceControls controls = runtime.service(ResourceControls.class)
                    .orElseThrow(
                            () -> new IsolaException(
                                    "the cgroup plugin offers no access to running containers' cgroups (is it an older version?)"));
            return new CgroupAccess(runtime, controls);
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /** The runtime it booted (or borrowed), for other plugins' services too. */
    IsolaRuntime runtime() {
        return runtime;
    }

    /** The resource control of {@code state}'s container (see {@code Lifecycle.cgroupOf}). */
    ResourceControl of(ContainerState state) {
        return controls.attach(state.id(), state.isola().cgroup().location());
    }

    @Override
    public void close() {
        runtime.close();
    }
}
