package io.isola.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A service of a plugin that holds host resources beyond a container's processes (network
 * interfaces, address leases, firewall rules, pinned namespaces): it releases those of containers
 * whose host process died without releasing them (SIGKILL of the CLI, the server or a monitor).
 * The lifecycle calls every registered sweeper once it has removed a container whose monitor was
 * gone, so that the next command releases them, however the previous one died.
 */
@ConsumerType
public interface LeftoverSweeper {

    /**
     * Releases what containers whose owning process is gone left behind, including what an earlier
     * sweep that was itself killed had taken over; never throws for one container's failure (that
     * one is retried by a later sweep). Returns how many containers' resources were released.
     */
    int sweep();
}
