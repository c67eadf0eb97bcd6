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

    private HooksRunInProcess() {}

    /** Throws {@link Invocation.NotServed} when served and {@code verb} would run hooks of {@code id}. */
    static void check(OciRuntime runtime, String id, String verb) {
        if (Invocation.current() != null && runtime.runsHostHooks(id, verb)) {
            throw new Invocation.NotServed(verb + " of " + id + " runs hooks: in the caller's process, not the server");
        }
    }
}
