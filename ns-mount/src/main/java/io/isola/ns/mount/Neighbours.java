package io.isola.ns.mount;

import io.isola.spi.Duty;
import io.isola.spi.IsolationRequest;
import io.isola.spi.Namespace;

/**
 * What the container's other isolators give it, which decides how this isolator mounts the
 * kernel's file systems: mqueue needs an IPC namespace, a fresh sysfs a network namespace, and a
 * mount point that another isolator is in charge of is left to it.
 *
 * @param userNamespace the container has a user namespace of its own, which locks the host's
 *     mounts it inherits to their parents (a bound /sys keeps the host's /sys/fs/cgroup)
 * @param ipcNamespace the container has an IPC namespace of its own
 * @param networkNamespace the container has a network namespace of its own
 * @param cgroupfsMounted another isolator mounts the container's /sys/fs/cgroup ({@link Duty#MOUNT_CGROUPFS})
 */
record Neighbours(boolean userNamespace, boolean ipcNamespace, boolean networkNamespace, boolean cgroupfsMounted) {

    /** Without a user namespace, nor another isolator's /sys/fs/cgroup. */
    static Neighbours of(boolean ipcNamespace, boolean networkNamespace) {
        return new Neighbours(false, ipcNamespace, networkNamespace, false);
    }

    static Neighbours of(IsolationRequest request) {
        return new Neighbours(
                request.selected(Namespace.USER),
                request.selected(Namespace.IPC),
                request.selected(Namespace.NET),
                request.provided(Duty.MOUNT_CGROUPFS));
    }
}
