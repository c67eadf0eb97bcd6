package io.isola.ns.mount;

import io.isola.spi.ClonedChild;
import io.isola.spi.support.IdMaps;
import java.nio.file.Path;
import java.util.Map;

/** How the container's new root comes to be mounted at a host path, before anything is mounted in it. */
interface RootLayout {

    /** The host path where the child mounts the new root and from which it pivots. */
    String hostPath();

    /** Adds the steps that mount the root at {@link #hostPath()}, and tells {@code tree} what is in it. */
    ContainerTree mount(PlannedSteps steps, MountCalls calls);

    /** Creates what the host must have for the root to be mounted; called once the plan stands. */
    default void prepareHost() {}

    /**
     * The host directories the child looks up by path, each with what it is ("root file system"),
     * which a user namespace's root must be able to reach ({@link Reachability}).
     */
    default Map<Path, String> lookedUpByPath() {
        return Map.of();
    }

    /** Refuses, saying why, a root whose files the container's {@code maps} cannot own; before anything is looked up. */
    default void requireOwnable(IdMaps maps) {}

    /**
     * Gives the root's files their owners in the container's user namespace, on the host while the
     * child waits before its filesystem phase ({@link RootOwnership}); {@code ownership} is null
     * when there is nothing to map.
     */
    default void mapOwners(ClonedChild child, RootOwnership ownership) throws Exception {}

    /** The container's first process exists (host pid {@code pid}); the child waits at its gate. */
    default void started(long pid) {}

    /** Releases what {@link #prepareHost()} created, once the container is gone. */
    default void release() {}

    /**
     * The container outlives the process that planned it (an OCI create, which that process hands
     * to the engine): drops what only this process holds (locks, descriptors), as its exit would,
     * and undoes nothing, once the container waits at its gate. A resident server that plans
     * creates would otherwise keep them for as long as it lives. A later {@link #release()} (the
     * create failed after all) still removes what was made.
     */
    default void handOver() {}

    /** Whether the root is remounted read-only once the container is in it. */
    boolean readOnly();
}
