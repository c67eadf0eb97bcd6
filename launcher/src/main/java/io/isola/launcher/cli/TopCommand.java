package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola top CONTAINER [ps OPTIONS]}, as Docker's: the host's {@code ps} (with {@code -ef}
 * unless told otherwise) cut down to the lines of the container's processes, found by the PID
 * column of its header. Pids are the host's, as Docker shows them.
 */
@Command(
        name = "top",
        description = {
            "Show the processes of a running container.",
            "The host's ps (default options -ef) with only the container's lines; host pids, as in",
            "Docker. Needs ps (procps) on the host."
        })
final class TopCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    private String container;

    @Parameters(index = "1..*", paramLabel = "PS-OPTIONS", description = "Options for ps (default: -ef).")
    private List<String> psOptions = new ArrayList<>();

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        ContainerState state = new Lifecycle(parent.global().store()).get(container);
        if (state.status() != ContainerState.Status.RUNNING) {
            throw new IsolaException("container " + state.id() + " is " + state.status() + ", not running");
        }
        Set<String> pids = ContainerProcesses.of(state).stream()
                .map(p -> Long.toString(p.pid()))
                .collect(Collectors.toSet());
        List<String> lines = ps(psOptions.isEmpty() ? List.of("-ef") : psOptions);
        int column = lines.isEmpty()
                ? -1
                : List.of(lines.get(0).trim().split("\\s+")).indexOf("PID");
        if (column < 0) {
            throw new IsolaException("ps " + String.join(" ", psOptions)
                    + ": its output has no PID column; give options" + " that show one (-ef, aux, -o pid,comm)");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > column && pids.contains(fields[column])) {
                out.println(line);
            }
        }
        out.flush();
        return 0;
    }

    private static List<String> ps(List<String> options) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("ps"));
        command.addAll(options);
        try {
            Process ps = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            String output = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String error = new String(ps.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!ps.waitFor(30, TimeUnit.SECONDS) || ps.exitValue() != 0) {
                throw new IsolaException("ps " + String.join(" ", options) + " failed: " + error);
            }
            return output.lines().toList();
        } catch (IOException e) {
            throw new IsolaException("cannot run ps (install procps): " + e.getMessage(), e);
        }
    }
}
