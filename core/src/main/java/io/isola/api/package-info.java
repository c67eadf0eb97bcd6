/**
 * The embedded API: build a {@link io.isola.api.ContainerSpec}, start it with an {@link
 * io.isola.api.Isola} runtime and handle the resulting {@link io.isola.api.Container}.
 */
@org.osgi.annotation.versioning.Version("1.7.0")
package io.isola.api;
