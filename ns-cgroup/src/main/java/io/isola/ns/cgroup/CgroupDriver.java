package io.isola.ns.cgroup;

import io.isola.api.CgroupTuning;
import io.isola.api.Devices;
import io.isola.api.Resources;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The cgroup layout of one host (v1 hierarchies per controller, or one unified v2 hierarchy),
 * behind one interface, as youki's {@code CgroupManager}: the isolator never asks which it has.
 */
interface CgroupDriver {

    /** "cgroup v1" or "cgroup v2", for messages. */
    String name();

    /**
     * Refuses limits this host cannot apply (a controller it lacks, more CPUs than it has), with a
     * message naming the value. Creates nothing.
     */
    void check(Resources resources);

    /**
     * Creates the cgroup {@code path} (relative to each hierarchy's root, such as {@code isola/abc})
     * in every hierarchy this driver uses and applies {@code resources}. On failure nothing it
     * created is left.
     */
    default Cgroup create(String path, Resources resources) throws IOException {
        return create(path, resources, null);
    }

    /**
     * Like {@link #create(String, Resources)}, with device cgroup rules: everything denied, then
     * {@code devices} in order; null leaves every device allowed (privileged).
     */
    Cgroup create(String path, Resources resources, List<Devices.Rule> devices) throws IOException;

    /**
     * Refuses device rules this host cannot enforce, naming them; creates nothing.
     *
     * @param ownRules whether {@code devices} go beyond the defaults
     */
    default void checkDevices(List<Devices.Rule> devices, boolean ownRules) {}

    /**
     * Whether the device rules given to {@link #create} are enforced; where they are not, the
     * isolator takes CAP_MKNOD from unprivileged containers instead ({@link MknodFallback}).
     */
    default boolean filtersDevices() {
        return true;
    }

    /**
     * The existing cgroup {@code path} (made by {@link #create} in this or another process), as a
     * handle; empty when it is in no hierarchy (its container has ended).
     */
    Optional<Cgroup> open(String path);

    /**
     * The containers' cgroups directly under {@code parent} in any hierarchy, as handles that can
     * be destroyed: what a host that died left behind, alongside those of running containers.
     */
    List<Cgroup> children(String parent) throws IOException;

    /** Which controllers this host has where. */
    HostLayout layout();

    /** Refuses OCI settings beyond Docker's limits that this host cannot apply, naming the layout; creates nothing. */
    default void check(CgroupTuning tuning) {
        TuningFiles.check(layout(), tuning);
    }

    /** Writes those settings into the container's cgroup {@code path}, made by {@link #create}. */
    default void tune(String path, CgroupTuning tuning) throws IOException {
        TuningFiles.write(layout(), path, tuning);
    }

    /** What to mount, read-only, under {@code /sys/fs/cgroup} inside a container's cgroup namespace. */
    List<CgroupfsMount> mounts();

    /**
     * A file system to mount inside the container.
     *
     * @param target the absolute mount point, such as {@code /sys/fs/cgroup/memory}
     * @param fstype {@code cgroup}, {@code cgroup2} or {@code tmpfs}
     * @param data mount data ({@code "memory"}), or null
     */
    record CgroupfsMount(String target, String fstype, String data) {}
}
