package io.isola.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Spec extension for OCI {@code create}: {@link Isola#start} returns once the container's process
 * is set up and waits at its gate, which is a FIFO in {@code stateDir} (an existing, private
 * directory). {@link Isola#startCreated} opens the gate later, from any process. The process is
 * cloned fork-style and has no parent-death signal, so it outlives the JVM that created it; its
 * parent is then whoever adopts orphans (a subreaper such as conmon or containerd's shim).
 */
public record DeferredStart(Path stateDir) {

    public DeferredStart {
        Objects.requireNonNull(stateDir, "stateDir");
    }
}
