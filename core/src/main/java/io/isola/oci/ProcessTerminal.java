package io.isola.oci;

/**
 * Spec marker: the bundle's {@code process.terminal} is true, so the process's stdio must be a
 * pseudo-terminal, which OCI {@code create} gets from {@code --console-socket} (runc's rule: a
 * terminal needs a console socket, and a console socket needs a terminal).
 */
public record ProcessTerminal() {}
