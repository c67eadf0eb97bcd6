package io.isola.launcher.cli;

import io.isola.launcher.cli.format.ListFormat;
import io.isola.launcher.cli.format.OutputFormat;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.DockerStatus;
import io.isola.lifecycle.Inspection;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.ProcessIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola ps}: without an id, docker's ps (running containers, all with {@code -a}; filters
 * and Go-template formats as Docker's); with one, runc's ps (the container's processes;
 * {@code --format json} gives their pids, as containerd reads).
 */
@Command(name = "ps", description = "List running containers (-a: all), or with ID the processes of that container.")
final class PsCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = {
                "Without ID: table, json, 'table TEMPLATE' or a Go TEMPLATE, with Docker's fields",
                "({{.ID}}, {{.Image}}, {{.Command}}, {{.RunningFor}}, {{.Status}}, {{.State}}, {{.Ports}},",
                "{{.Names}}, {{.Labels}}, {{.CreatedAt}}, {{.RestartCount}}; {{json .}}). With ID: table or json."
            })
    private String format;

    @Option(
            names = {"-f", "--filter"},
            paramLabel = "KEY=VALUE",
            description =
                    "Without ID: status=, name=, label=, ancestor=, id=, volume= or health=; repeat to narrow (same key: any).")
    private List<String> filters = new ArrayList<>();

    @Option(
            names = {"-q", "--quiet"},
            description = "Without ID: print ids only.")
    private boolean quiet;

    @Option(
            names = {"-a", "--all"},
            description = "Without ID: list stopped containers too (default: running, paused, restarting).")
    private boolean all;

    @Option(names = "--no-trunc", description = "Without ID: whole ids and commands.")
    private boolean noTrunc;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID")
    private String id;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        if (id == null) {
            ContainerFilter filter =
                    ContainerFilter.parse(filters, parent.global().store());
            ListFormat list = ListFormat.parse(format);
            List<ContainerState> shown = ListCommand.listed(lifecycle, parent.config()).stream()
                    .filter(state -> all || filter.namesStatus() || shownWithoutAll(state))
                    .filter(filter)
                    .toList();
            if (quiet || list.isDefault()) {
                ListCommand.print(parent.global().store(), shown, quiet, noTrunc, out);
            } else {
                list.print(
                        shown.stream()
                                .map(state -> ContainerRow.of(parent.global().store(), state, noTrunc))
                                .toList(),
                        ContainerRow.header(),
                        out);
            }
            return 0;
        }
        OutputFormat plain = OutputFormat.parse(format);
        ContainerState state = lifecycle.get(id);
        List<ProcessIdentity> processes = ContainerProcesses.of(state);
        if (plain == OutputFormat.JSON) {
            out.println(Inspection.compactJson(
                    processes.stream().map(ProcessIdentity::pid).toList()));
        } else {
            out.printf("%-8s  %s%n", "PID", "CMD");
            for (ProcessIdentity process : processes) {
                out.printf("%-8d  %s%n", process.pid(), commandLine(process.pid()));
            }
        }
        out.flush();
        return 0;
    }

    /** Docker's ps without -a: running, paused and restarting containers (and one whose state is unknown). */
    private static boolean shownWithoutAll(ContainerState state) {
        DockerStatus status = DockerStatus.of(state);
        return status == DockerStatus.RUNNING
                || status == DockerStatus.PAUSED
                || status == DockerStatus.RESTARTING
                || status == DockerStatus.DEAD;
    }

    /** Shown at most: a container's command line is its own to choose, up to megabytes. */
    static final int MAX_COMMAND_LINE = 4096;

    private static String commandLine(long pid) {
        try (InputStream in = Files.newInputStream(Path.of("/proc", Long.toString(pid), "cmdline"))) {
            byte[] bytes = in.readNBytes(MAX_COMMAND_LINE + 1);
            String line =
                    printable(new String(bytes, 0, Math.min(bytes.length, MAX_COMMAND_LINE), StandardCharsets.UTF_8));
            return bytes.length > MAX_COMMAND_LINE ? line + "..." : line;
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * The command line as one line of text: argument separators become spaces, and every other
     * control character (a terminal escape the container wrote into its own argv) a '?'.
     */
    static String printable(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        raw.codePoints()
                .forEach(c -> out.append(
                        c == 0
                                ? " "
                                : Character.isISOControl(c) || c == 0x2028 || c == 0x2029
                                        ? "?"
                                        : new String(Character.toChars(c))));
        return out.toString().strip();
    }
}
