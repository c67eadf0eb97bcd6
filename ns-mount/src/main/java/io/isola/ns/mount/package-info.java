/**
 * The mount isolator bundle: the container's file system, planned on the host in
 * {@code prepare} ({@link io.isola.ns.mount.FilesystemPlan}, {@link io.isola.ns.mount.ContainerTree}:
 * every target resolved inside the container's tree before the child starts) and built by the
 * child's steps: the root (host files read-only, a directory, or an image's overlayfs), the
 * kernel's file systems, /dev, volumes and binds, then {@code pivot_root} and the lock-down of
 * masked and read-only paths.
 */
package io.isola.ns.mount;
