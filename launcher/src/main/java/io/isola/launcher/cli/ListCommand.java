package io.isola.launcher.cli;

import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isola list}: the containers in the state root, brought up to date with the kernel. */
@Command(name = "list", aliases = "ls", description = "List containers (stale ones are reported as stopped).")
final class ListCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(names = {"-q", "--quiet"}, description = "Print ids only.")
    private boolean quiet;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        print(listed(new Lifecycle(parent.global().store())), quiet, spec.commandLine().getOut());
        return 0;
    }

    /** The containers, less --rm ones whose monitor died before removing them: those are removed now. */
    static List<ContainerState> listed(Lifecycle lifecycle) throws InterruptedException {
        ContainerRemoval removal = new ContainerRemoval(lifecycle);
        try {
            return removal.listRemovingAbandoned();
        } finally {
            removal.finish();
        }
    }

    static void print(List<ContainerState> states, boolean quiet, PrintWriter out) {
        if (!quiet) {
            out.printf("%-12s  %-16s  %-24s  %-8s  %s%n", "CONTAINER ID", "NAME", "STATUS", "PID", "COMMAND");
        }
        for (ContainerState state : states) {
            if (quiet) {
                out.println(state.id());
                continue;
            }
            ContainerState.Extra extra = state.isola();
            String status = state.status();
            if (state.isUnreadable()) {
                status = "unknown (state unreadable)";
            } else if (Lifecycle.unsupervised(state)) {
                status = status + " (unsupervised)";
            } else if (ContainerState.RUNNING.equals(status) && extra != null && extra.paused()) {
                status = "paused";
            } else if (ContainerState.STOPPED.equals(status) && extra != null) {
                status = extra.exitCode() != null ? "exited (" + extra.exitCode() + ")"
                        : extra.note() != null ? "stopped (exit unknown)" : "stopped";
            }
            String command = extra == null || extra.spec() == null ? "" : String.join(" ", extra.spec().command());
            out.printf("%-12s  %-16s  %-24s  %-8s  %s%n", state.id().substring(0, Math.min(12, state.id().length())),
                    extra == null || extra.name() == null ? "" : extra.name(), status,
                    Lifecycle.isLive(state) ? Long.toString(state.pid()) : "-", command);
            if (extra != null && extra.note() != null) {
                out.println("              note: " + extra.note());
            }
        }
        out.flush();
    }
}
