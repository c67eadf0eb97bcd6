package io.isola.launcher.cli.oci;

import io.isola.launcher.server.Invocation;
import io.isola.oci.OciRuntime;

/**
 * The resident server runs {@code start} and {@code delete} for engines, but not when the
 * container's bundle has hooks for them: a hook is a process the runtime starts, and started by
 * the server it would get the server's stderr, working directory, session and cgroup instead of
 * the engine's. Such a command goes back to its client, and runs in-process.
 */
final class HooksRunInProcess {

    /** Throws {@link Invocation.NotServed} when served; lets the hooks run otherwise. */
    static final OciRuntime.HookGate GATE = verb -> {
        if (Invocation.current() != null) {
            throw new Invocation.NotServed(verb + " runs hooks: in the caller's process, not the server");
        }
    };

    private HooksRunInProcess() {}
}
