package io.isola.launcher.cli;

import io.isola.api.IsolaException;
import io.isola.api.Pressure;
import io.isola.api.ResourceStats;
import io.isola.launcher.cli.format.ListFormat;
import io.isola.launcher.cli.format.OutputFormat;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Inspection;
import io.isola.lifecycle.Lifecycle;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code isola stats [ID...]}: one reading of each running container's CPU, memory, network, block
 * I/O and processes from its cgroup, as {@code docker stats --no-stream}; every running container
 * with a cgroup when no id is given.
 */
@Command(
        name = "stats",
        description =
                "Show running containers' CPU %%, memory use and limit, network and block I/O, processes (one reading).")
final class StatsCommand implements Callable<Integer> {

    @ParentCommand
    private IsolaCommand parent;

    @Parameters(arity = "0..*", paramLabel = "ID")
    private List<String> ids = new ArrayList<>();

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = {
                "table (default, Docker's columns), json (one object a line with isola's fields), or a Go template",
                "as Docker's: {{.Name}} {{.MemUsage}}, 'table {{.ID}}\\t{{.MemPerc}}', {{json .}}."
            })
    private String format;

    @Option(names = "--no-stream", description = "Accepted, as docker stats takes it: stats prints one reading.")
    private boolean ignoredNoStream;

    @Spec
    private CommandSpec spec;

    /** One container's reading; {@code cpuPercent} over the sample before it, null without one. */
    record Row(ContainerState state, ResourceStats stats, Double cpuPercent) {}

    /** Between the two readings a CPU percentage needs (Docker's one-shot stats takes two, about a second apart). */
    private static final Duration CPU_SAMPLE = Duration.ofMillis(500);

    /** Docker's default stats table. */
    private static final String DOCKER_TABLE =
            "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

    @Override
    public Integer call() throws InterruptedException {
        Optional<OutputFormat> plain = OutputFormat.named(format);
        ListFormat template = plain.isPresent() && plain.get() == OutputFormat.JSON
                ? null
                : ListFormat.parse(
                        plain.isPresent() ? DOCKER_TABLE : format); // a template error before any container is read
        Lifecycle lifecycle = new Lifecycle(parent.global().store());
        boolean all = ids.isEmpty();
        List<ContainerState> states = all
                ? lifecycle.list().stream()
                        .filter(s -> s.status() == ContainerState.Status.RUNNING
                                && s.isola() != null
                                && s.isola().cgroup() != null
                                && s.isola().cgroup().location() != null)
                        .toList()
                : ids.stream()
                        .map(id -> lifecycle.cgroupOf(id, "read the stats of"))
                        .toList();
        List<Row> rows = new ArrayList<>();
        if (!states.isEmpty()) {
            try (CgroupAccess cgroups = CgroupAccess.open(parent.config())) {
                Map<String, long[]> first = showsCpuPercent(format) ? firstReading(cgroups, states) : Map.of();
                if (!first.isEmpty()) {
                    Thread.sleep(CPU_SAMPLE.toMillis());
                }
                for (ContainerState state : states) {
                    try {
                        ResourceStats stats = cgroups.of(state).stats();
                        long[] before = first.get(state.id());
                        Double cpu = before == null
                                ? null
                                : 100.0
                                        * (stats.cpuTime().toNanos() - before[0])
                                        / Math.max(1, System.nanoTime() - before[1]);
                        rows.add(new Row(state, stats, cpu));
                    } catch (IsolaException e) {
                        if (!all) {
                            throw e;
                        }
                        // it ended since the list was read: it is no longer one of "all running"
                    }
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (template == null) {
            rows.forEach(row -> out.println(Inspection.compactJson(json(row))));
        } else {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                items.add(StatsRow.of(rows.get(i), all ? null : ids.get(i)));
            }
            template.print(items, StatsRow.header(), out);
        }
        out.flush();
        return 0;
    }

    /**
     * Whether {@code format} shows Docker's CPU %, which takes a second reading: the default table,
     * a template naming CPUPerc, or one printing the whole row ({@code {{json .}}}). isola's own
     * json has the CPU time instead.
     */
    static boolean showsCpuPercent(String format) {
        return OutputFormat.named(format).orElse(null) == OutputFormat.TABLE
                || format.contains("CPUPerc")
                || format.matches("(?s).*\\{\\{-?\\s*json\\s+\\.\\s*-?}}.*");
    }

    /** Each container's CPU time and when it was read, by id; one that ended meanwhile is left out. */
    private static Map<String, long[]> firstReading(CgroupAccess cgroups, List<ContainerState> states) {
        Map<String, long[]> readings = new LinkedHashMap<>();
        for (ContainerState state : states) {
            try {
                readings.put(
                        state.id(),
                        new long[] {cgroups.of(state).stats().cpuTime().toNanos(), System.nanoTime()});
            } catch (IsolaException e) {
                // ended: the second reading says so
            }
        }
        return readings;
    }

    static Map<String, Object> json(Row row) {
        ResourceStats s = row.stats();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ID", row.state().id());
        o.put("Name", row.state().name());
        o.put("CPUTimeNanos", s.cpuTime().toNanos());
        o.put("MemoryUsage", s.memoryUsage());
        o.put("MemoryLimit", s.memoryLimit().isPresent() ? s.memoryLimit().getAsLong() : null);
        o.put("PIDs", s.pids());
        o.put("PIDsLimit", s.pidsLimit().isPresent() ? s.pidsLimit().getAsLong() : null);
        o.put("Paused", row.state().isola().paused());
        o.put("BlockRead", s.blockRead());
        o.put("BlockWritten", s.blockWritten());
        o.put("MemoryEvents", s.memoryEvents());
        o.put("Pressure", pressure(s));
        return o;
    }

    /** PSI by resource, as the kernel's files name the fields: {@code {"memory": {"some": {"avg10": 0.0, ...}}}}. */
    static Map<String, Object> pressure(ResourceStats s) {
        Map<String, Object> all = new LinkedHashMap<>();
        s.pressure().forEach((resource, p) -> {
            Map<String, Object> lines = new LinkedHashMap<>();
            lines.put("some", line(p.some()));
            p.full().ifPresent(full -> lines.put("full", line(full)));
            all.put(resource, lines);
        });
        return all;
    }

    private static Map<String, Object> line(Pressure.Line l) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("avg10", l.avg10());
        o.put("avg60", l.avg60());
        o.put("avg300", l.avg300());
        o.put("total", l.totalMicros());
        return o;
    }

    /** Bytes in binary units, as docker stats prints them ({@code 1.5MiB}). */
    static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0
                ? bytes + "B"
                : String.format("%.2f%s", value, units[unit]).replace(".00", "");
    }
}
