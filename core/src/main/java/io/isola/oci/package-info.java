/**
 * The OCI runtime side of isola: a bundle's {@code config.json} translated into a
 * {@link io.isola.api.ContainerSpec} (every field isola cannot honour refused by its JSON name,
 * never ignored), its hooks, and the create / start / state / kill / delete state machine over
 * {@link io.isola.lifecycle.StateStore}.
 */
@org.osgi.annotation.versioning.Version("0.1.0")
package io.isola.oci;
