/**
 * The host side's libc, through jnr-ffi: {@link io.isola.internal.nativ.Native} is the one door
 * (the binding, symbol addresses for the child's steps, errno to exceptions), with the file
 * descriptor, memory, pidfd, pty and mount-API helpers built on it. Everything that touches a
 * path a container or image controls goes through descriptors here
 * ({@link io.isola.internal.nativ.DirectoryFd}, {@link io.isola.internal.nativ.FileAttributes}):
 * no link is followed.
 */
package io.isola.internal.nativ;
