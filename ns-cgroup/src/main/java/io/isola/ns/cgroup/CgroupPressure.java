package io.isola.ns.cgroup;

import io.isola.api.Pressure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PSI files of a cgroup2 directory ({@code cpu.pressure}, {@code memory.pressure},
 * {@code io.pressure}). They belong to cgroup2 itself, not to a controller: a hybrid host's
 * unified hierarchy has them too, without any controller enabled.
 */
final class CgroupPressure {

    private static final List<String> RESOURCES = List.of("cpu", "memory", "io");

    private CgroupPressure() {}

    /** Each resource whose file exists, in the order cpu, memory, io; none without PSI (psi=0, or no CONFIG_PSI). */
    static Map<String, Pressure> read(Path dir) throws IOException {
        Map<String, Pressure> found = new LinkedHashMap<>();
        for (String resource : RESOURCES) {
            Path file = dir.resolve(resource + ".pressure");
            try {
                parse(Files.readAllLines(file)).ifPresent(p -> found.put(resource, p));
            } catch (NoSuchFileException absent) {
                // no PSI for this resource here
            } catch (IOException e) {
                // a kernel booted with psi=0 keeps the files but refuses reads with EOPNOTSUPP
                if (!String.valueOf(e.getMessage()).contains("not supported")) {
                    throw e;
                }
            }
        }
        return found;
    }

    /** {@code some avg10=0.00 avg60=0.00 avg300=0.00 total=0} and, optionally, a {@code full} line. */
    static Optional<Pressure> parse(List<String> lines) {
        Pressure.Line some = null;
        Pressure.Line full = null;
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            if (words.length != 5) {
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 1; i < words.length; i++) {
                String[] kv = words[i].split("=", 2);
                if (kv.length == 2) {
                    values.put(kv[0], kv[1]);
                }
            }
            try {
                Pressure.Line parsed = new Pressure.Line(
                        Double.parseDouble(values.get("avg10")),
                        Double.parseDouble(values.get("avg60")),
                        Double.parseDouble(values.get("avg300")),
                        Long.parseLong(values.get("total")));
                if (words[0].equals("some")) {
                    some = parsed;
                } else if (words[0].equals("full")) {
                    full = parsed;
                }
            } catch (NumberFormatException | NullPointerException e) {
                // a line of a format we do not know: leave it out rather than fail the reading
            }
        }
        return some == null ? Optional.empty() : Optional.of(new Pressure(some, Optional.ofNullable(full)));
    }
}
