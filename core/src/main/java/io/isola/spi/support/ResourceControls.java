package io.isola.spi.support;

import io.isola.api.CgroupLocation;
import io.isola.api.ResourceControl;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A service of the plugin that makes containers' cgroups: it reaches the cgroup of a container
 * that another process started (the monitor of a detached container), from the location that
 * process recorded, so that {@code isola pause/resume/stats ID} work from a new CLI process.
 */
@ConsumerType
public interface ResourceControls {

    /**
     * The resource controller of container {@code containerId}, whose cgroup is at {@code location}.
     * The control never removes the cgroup: its owner does. Throws an {@link
     * io.isola.api.IsolaException} naming the container when the cgroup is not there (it has ended)
     * or the location is not one this plugin made.
     */
    ResourceControl attach(String containerId, CgroupLocation location);
}
