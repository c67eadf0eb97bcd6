/**
 * Helpers that isolators may use, versioned apart from the contract in {@link io.isola.spi}: host
 * identity and user namespace views, id maps and ownership shifts, idmapped mounts, overlay layers,
 * namespace threads and files, loopback and network admin, cgroup delegation and device filters,
 * and ready-made credential and raw-syscall steps.
 *
 * <p>Unlike {@code io.isola.spi}, this package may use the core's private native layer: a plugin
 * that needs none of it depends on the contract alone. Its version moves with its own baseline
 * (see docs/api-versioning.md), so a change here never forces a plugin that uses only the
 * contract to be rebuilt.
 */
@org.osgi.annotation.versioning.Version("1.2.0")
package io.isola.spi.support;
