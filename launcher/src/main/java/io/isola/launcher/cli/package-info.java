/**
 * The verbs of the command line, one picocli command per class ({@link io.isola.launcher.cli.IsolaCommand}
 * lists them): Docker's container, image, volume and system verbs as thin wrappers of
 * {@code io.isola.lifecycle} and {@code image}, with their output formats in {@code cli.format}.
 * {@code run} and its options are in {@code cli.run}, the OCI runtime verbs that engines call in
 * {@code cli.oci}.
 */
package io.isola.launcher.cli;
