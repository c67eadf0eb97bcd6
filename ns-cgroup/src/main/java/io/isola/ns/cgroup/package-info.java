/**
 * The cgroup isolator bundle: a cgroup namespace and a cgroup of the container's own carrying its
 * limits. {@link io.isola.ns.cgroup.CgroupDrivers} picks the host's layout from what is mounted
 * (v1 per controller, v2 unified, hybrid), the drivers write the limits and device rules (v1's
 * devices controller or v2's BPF filter), and {@link io.isola.ns.cgroup.CgroupIsolation} makes the
 * cgroup before the clone, joins it after, and empties and removes it when the container ends.
 */
package io.isola.ns.cgroup;
