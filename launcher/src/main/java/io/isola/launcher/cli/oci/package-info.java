/**
 * The OCI runtime verbs as runc offers them to podman and containerd ({@code create},
 * {@code start}, {@code state}, {@code kill}, {@code delete}, {@code exec --process},
 * {@code features}, {@code spec}), with runc's output layout and exit statuses; the bundle's
 * config.json is translated by {@code io.isola.oci}.
 */
package io.isola.launcher.cli.oci;
