package io.isola.oci;

import static io.isola.internal.nativ.Signals.SIGKILL;

import io.isola.api.Container;
import io.isola.api.ExitStatus;
import io.isola.api.Isola;
import io.isola.api.IsolaException;
import io.isola.api.Join;
import io.isola.lifecycle.ProcessIdentity;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs the OCI hooks that belong inside the container ({@code createContainer} at create,
 * {@code startContainer} at start, both before the user's process runs): each is a process that
 * joins the namespaces and cgroups of the container's process, which waits at its gate, as
 * {@code exec} does. Its path and argv resolve in the container's mount namespace (the spec's rule
 * for startContainer; for createContainer it asks the runtime's, which a container that is already
 * past pivot_root cannot give: see the class comment of {@link OciRuntime}). The container's state
 * JSON is on its stdin, its environment is the hook's own, stdout is discarded, stderr is ours;
 * the first failing hook stops the rest and names itself.
 */
final class ContainerHooks {

    private static final int DEFAULT_TIMEOUT_SECONDS = 60;

    private ContainerHooks() {}

    static void run(Isola isola, String kind, List<Hook> hooks, String stateJson, ProcessIdentity container) {
        for (int i = 0; i < hooks.size(); i++) {
            Hook hook = hooks.get(i);
            String name = kind + " hook " + i + " (" + hook.path() + ")";
            int timeout = hook.timeoutSeconds() == null ? DEFAULT_TIMEOUT_SECONDS : hook.timeoutSeconds();
            Optional<ExitStatus> ended;
            try (Container process = isola.start(hook.inContainerOf(
                    new Join(container.pid(), Math.max(0, container.startTime()), container.pidfsInode())))) {
                StateFeed.start(name, process.stdin(), stateJson);
                ended = process.waitFor(Duration.ofSeconds(timeout));
                if (ended.isEmpty()) {
                    process.kill(SIGKILL);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IsolaException(name + " was interrupted");
            } catch (RuntimeException e) {
                throw new IsolaException(name + " could not run in the container: " + e.getMessage(), e);
            }
            // decided outside the try, so that only the start, the wait and the kill count as "could not run"
            if (ended.isEmpty()) {
                throw new IsolaException(name + " timed out after " + timeout + " s");
            }
            ExitStatus status = ended.get();
            if (status.killedBySignal() || status.exitCode() != 0) {
                throw new IsolaException(name + " failed: " + status);
            }
        }
    }
}
