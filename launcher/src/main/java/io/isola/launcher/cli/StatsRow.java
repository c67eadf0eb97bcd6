package io.isola.launcher.cli;

import io.isola.api.ResourceStats;
import io.isola.internal.nativ.HostProc;
import io.isola.launcher.cli.format.Struct;
import io.isola.lifecycle.ContainerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One reading of {@code stats} as Docker's {@code --format} templates name its fields ({@code
 * .Container}, {@code .Name}, {@code .ID}, {@code .CPUPerc}, {@code .MemUsage}, {@code .MemPerc},
 * {@code .NetIO}, {@code .BlockIO}, {@code .PIDs}), with isola's {@code .CPUTime}. CPUPerc is the CPU
 * time over two readings (taken only when the output shows it), as a share of one CPU, as Docker's.
 * BlockIO is what the container's cgroup read from and wrote to block devices. NetIO is what the
 * container's network namespace received and sent, loopback aside (Docker counts its interfaces,
 * which have no lo).
 */
final class StatsRow {

    private static final String NONE = "--";
    /** A line per interface of about 130 bytes. */
    private static final int NET_DEV_BYTES = 1 << 20;

    private StatsRow() {}

    static Struct header() {
        return new Struct("stats")
                .with("Container", "CONTAINER")
                .with("ID", "CONTAINER ID")
                .with("Name", "NAME")
                .with("CPUPerc", "CPU %")
                .with("CPUTime", "CPU TIME")
                .with("MemUsage", "MEM USAGE / LIMIT")
                .with("MemPerc", "MEM %")
                .with("NetIO", "NET I/O")
                .with("BlockIO", "BLOCK I/O")
                .with("PIDs", "PIDS");
    }

    /**
     * Received and sent bytes of the container's interfaces but lo, from /proc/PID/net/dev (which
     * shows the network namespace of PID); "--" once it has ended or its pid is another's.
     */
    static String netIo(ContainerState state) {
        long received = 0, sent = 0;
        try {
            // below the host's procfs handle: a file bound on the plain /proc/PID/net/dev (a container
            // with a shared bind of the host's /proc can mount one) could show another container's counts
            List<String> lines = new String(
                            HostProc.read(state.pid() + "/net/dev", NET_DEV_BYTES), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            if (!state.process().isAlive()) {
                return NONE; // read from a process that took its pid
            }
            for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) { // two header lines
                int colon = line.indexOf(':');
                String[] fields = line.substring(colon + 1).trim().split("\\s+");
                if (colon < 0 || line.substring(0, colon).trim().equals("lo") || fields.length < 9) {
                    continue;
                }
                received += Long.parseLong(fields[0]);
                sent += Long.parseLong(fields[8]);
            }
        } catch (IOException | NumberFormatException e) {
            return NONE;
        }
        return ByteSizes.human(received) + " / " + ByteSizes.human(sent);
    }

    /** {@code given}: how the user named the container (Docker's .Container), or null when all were listed. */
    static Struct of(StatsCommand.Row row, String given) {
        ResourceStats s = row.stats();
        String id = row.state().id();
        String shortId = id.substring(0, Math.min(12, id.length()));
        String limit =
                s.memoryLimit().isPresent() ? StatsCommand.bytes(s.memoryLimit().getAsLong()) : "unlimited";
        String percent = s.memoryLimit().isPresent() && s.memoryLimit().getAsLong() > 0
                ? String.format(
                        "%.2f%%", 100.0 * s.memoryUsage() / s.memoryLimit().getAsLong())
                : NONE;
        return new Struct("stats")
                .with("Container", given == null ? shortId : given)
                .with("ID", shortId)
                .with("Name", Objects.toString(row.state().name(), ""))
                .with("CPUPerc", row.cpuPercent() == null ? NONE : String.format("%.2f%%", row.cpuPercent()))
                .with("CPUTime", String.format("%.3fs", s.cpuTime().toNanos() / 1e9))
                .with("MemUsage", StatsCommand.bytes(s.memoryUsage()) + " / " + limit)
                .with("MemPerc", percent)
                .with("NetIO", netIo(row.state()))
                .with("BlockIO", ByteSizes.human(s.blockRead()) + " / " + ByteSizes.human(s.blockWritten()))
                .with("PIDs", Long.toString(s.pids()));
    }
}
