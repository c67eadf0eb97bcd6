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
        for (String id : ids()) {
            ContainerState state = lifecycle.await(id);
            Integer code = state == null || state.isola() == null ? null : state.isola().exitCode();
            if (code != null) {
                out().println(code);
            } else {
                lost.add(state == null ? id + " was removed before its exit status was read"
                        : state.id() + ": " + (state.isola() == null || state.isola().note() == null
                                ? "its exit status was not recorded" : state.isola().note()));
            }
        }
        out().flush();
        if (!lost.isEmpty()) {
            throw new IsolaException("exit status unknown: container " + String.join("; container ", lost));
        }
        return 0;
    }
}
