package io.isola.launcher.cli;

import io.isola.launcher.cli.format.ListFormat;
import io.isola.launcher.cli.format.OutputFormat;
import io.isola.launcher.cli.format.Struct;
import io.isola.launcher.cli.oci.RuncState;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.StateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code isola list}: the containers in the state root, brought up to date with the kernel. */
@Command(
        name = "list",
        aliases = "ls",
        description = "List every container, as ps -a (stale ones are reported as exited).")
final class ListCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print ids only.")
    private boolean quiet;

    @Option(
            names = {"-f", "--format"},
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = "table (the default) or json: runc's list, each container's OCI state and its owner.")
    private String format;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (OutputFormat.parse(format) == OutputFormat.JSON && !quiet) {
            List<Map<String, Object>> states = new ArrayList<>();
            for (ContainerState state : listed(new Lifecycle(parent.global().store()), parent.config())) {
                states.add(RuncState.of(state.oci(), owner(state)));
            }
            spec.commandLine().getOut().print(RuncState.list(states));
            spec.commandLine().getOut().flush();
            return 0;
        }
        // -q: whole ids, as list always printed them (ps -q prints Docker's short ones)
        print(
                parent.global().store(),
                listed(new Lifecycle(parent.global().store()), parent.config()),
                quiet,
                quiet,
                spec.commandLine().getOut());
        return 0;
    }

    /** Who owns the container's state, by name as runc shows it ("" when it cannot be read). */
    private String owner(ContainerState state) {
        try {
            return Files.getOwner(parent.global().store().dir(state.id()), LinkOption.NOFOLLOW_LINKS)
                    .getName();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The containers, less --rm ones whose monitor died before removing them: those are removed now. */
    static List<ContainerState> listed(Lifecycle lifecycle, Path config) throws InterruptedException {
        ContainerRemoval removal = new ContainerRemoval(lifecycle, config);
        try {
            return removal.listRemovingAbandoned();
        } finally {
            removal.finish();
        }
    }

    /**
     * Docker's table (CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES); STATUS also says
     * what isola knows beyond Docker's words (unsupervised, state unreadable, restarts), and a note
     * line follows a container whose state the runtime had to guess. {@code quiet}: ids alone.
     */
    static void print(StateStore store, List<ContainerState> states, boolean quiet, boolean noTrunc, PrintWriter out) {
        if (quiet) {
            states.forEach(state -> out.println(noTrunc ? state.id() : ContainerRow.shortId(state.id())));
            out.flush();
            return;
        }
        List<String> lines = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        lines.add("CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES");
        notes.add(null);
        for (ContainerState state : states) {
            Struct row = ContainerRow.of(store, state, noTrunc);
            ContainerState.Extra extra = state.isola();
            String status = (String) row.get("Status");
            if (state.isUnreadable()) {
                status = status + " (state unreadable)";
            } else if (Lifecycle.unsupervised(state)) {
                status = status + " (unsupervised)";
            } else if (state.status() == ContainerState.Status.STOPPED
                    && extra != null
                    && extra.exitCode() == null
                    && extra.note() != null) {
                status = status + " (exit unknown)";
            }
            if (extra != null && extra.restartCount() > 0) {
                status = status + ", " + extra.restartCount() + (extra.restartCount() == 1 ? " restart" : " restarts");
            }
            lines.add(String.join(
                    "\t",
                    (String) row.get("ID"),
                    (String) row.get("Image"),
                    (String) row.get("Command"),
                    (String) row.get("RunningFor"),
                    status,
                    (String) row.get("Ports"),
                    (String) row.get("Names")));
            notes.add(extra == null ? null : extra.note());
        }
        List<String> aligned = ListFormat.aligned(lines);
        for (int i = 0; i < aligned.size(); i++) {
            out.println(aligned.get(i));
            if (notes.get(i) != null) {
                out.println("  note: " + notes.get(i));
            }
        }
        out.flush();
    }
}
