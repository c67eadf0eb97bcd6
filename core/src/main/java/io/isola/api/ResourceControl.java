package io.isola.api;

import java.util.Optional;

/**
 * What a container's resource controller (its cgroups) offers to the embedding application: find
 * it with {@code container.facet(ResourceControl.class)}, present when the container has a cgroup
 * isolator.
 *
 * <p>{@link #oomKilled()} stays readable after the container has ended; the other methods need
 * the container to be running and throw {@link IsolaException} otherwise.
 */
public interface ResourceControl {

    /** Stops every process of the container (the cgroup freezer); they keep their memory. */
    void pause();

    /** Lets the processes of a paused container run again. */
    void resume();

    /** Whether the container is paused. */
    boolean paused();

    /**
     * Changes the limits that {@code resources} sets (memory, CPUs, processes, ...) of the running
     * container, leaving the others as they are, as {@code docker update} does.
     *
     * @since 1.3
     */
    default void update(Resources resources) {
        throw new IsolaException("this resource controller cannot change a running container's limits");
    }

    /** Memory, CPU time and processes of the container now. */
    ResourceStats stats();

    /**
     * Whether the kernel killed a process of the container for exceeding its memory limit (read
     * from the cgroup's OOM-kill counter, not guessed from the signal). Final once the container
     * has ended.
     */
    boolean oomKilled();

    /**
     * Where the container's cgroup is, for a process other than this one to reach it later (see
     * {@link io.isola.spi.support.ResourceControls}); empty when the controller cannot say.
     */
    default Optional<CgroupLocation> location() {
        return Optional.empty();
    }
}
