package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/**
 * {@code isola wait ID...}: blocks until each container ends and prints its exit code. A
 * container whose exit status was lost (its monitor died first, or it was removed meanwhile) is
 * an error, not a code: a script must not read success into it.
 */
@Command(name = "wait", description = "Wait for containers to end and print their exit codes.")
final class WaitCommand extends ContainerVerb {

    @Override
    public Integer call() throws InterruptedException {
        Lifecycle lifecycle = lifecycle();
        List<String> lost = new ArrayList<>();
        int failed = 0;
        for (String id : ids()) {
            ContainerState state;
            try {
                state = lifecycle.await(id);
            } catch (IllegalArgumentException | IsolaException e) {
                if (ids().size() == 1) {
                    throw e;
                }
                failed++; // as Docker's wait: the others are waited for, the status says one failed
                reportFailure(e);
                continue;
            }
            Integer code = state == null || state.isola() == null
                    ? null
                    : state.isola().exitCode();
            if (code != null) {
                out().println(code);
            } else {
                lost.add(
                        state == null
                                ? id + " was removed before its exit status was read"
                                : state.id() + ": " + why(state));
            }
        }
        out().flush();
        if (!lost.isEmpty()) {
            throw new IsolaException("exit status unknown: container " + String.join("; container ", lost));
        }
        return failed == 0 ? 0 : SOME_FAILED;
    }

    private static String why(ContainerState state) {
        if (state.isola() != null && state.isola().note() != null) {
            return state.isola().note();
        }
        // an OCI create leaves the container to its caller's process tree: the engine reaps it
        return state.isola() == null || state.isola().monitor() == null
                ? "no isola process reaps it (an OCI container's exit status goes to the engine that created it)"
                : "its exit status was not recorded";
    }
}
