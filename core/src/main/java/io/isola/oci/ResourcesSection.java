package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.CgroupPath;
import io.isola.api.ContainerSpec;
import io.isola.api.Resources;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * {@code linux.resources} (memory, cpu, pids) into {@link Resources}, the settings beyond Docker's
 * into {@link TuningSection}'s {@link io.isola.api.CgroupTuning}, devices into {@link
 * DeviceRules}, and {@code linux.cgroupsPath} into {@link CgroupPath}. Either one makes the
 * container use the cgroup isolator; it creates a cgroup namespace only when {@code
 * linux.namespaces} lists one.
 */
final class ResourcesSection {

    private static final long DEFAULT_PERIOD = 100_000;

    private ResourcesSection() {}

    /** Whether the container needs the cgroup isolator. */
    static boolean read(ConfigFields fields, ContainerSpec.Builder spec, boolean systemdCgroup) {
        boolean cgroup = false;
        String path = cgroupPath(fields.text("linux.cgroupsPath"), systemdCgroup);
        if (path != null) {
            spec.with(new CgroupPath(path));
            cgroup = true;
        }
        Resources.Builder resources = Resources.builder();
        boolean any = false;
        try {
            JsonNode limit = number(fields, "linux.resources.memory.limit");
            if (limit != null && limit.asLong() > 0) {
                resources.memory(limit.asLong());
                any = true;
            }
            JsonNode swap = number(fields, "linux.resources.memory.swap");
            if (swap != null && swap.asLong() != 0) {
                resources.memorySwap(swap.asLong() < 0 ? Resources.UNLIMITED : swap.asLong());
                any = true;
            }
            JsonNode shares = number(fields, "linux.resources.cpu.shares");
            if (shares != null && shares.asLong() > 0) {
                resources.cpuShares((int) Math.min(shares.asLong(), Integer.MAX_VALUE));
                any = true;
            }
            JsonNode quota = number(fields, "linux.resources.cpu.quota");
            JsonNode period = number(fields, "linux.resources.cpu.period");
            if (quota != null && quota.asLong() > 0) {
                long p = period != null && period.asLong() > 0 ? period.asLong() : DEFAULT_PERIOD;
                resources.cpus(BigDecimal.valueOf(quota.asLong()).divide(BigDecimal.valueOf(p), 2, RoundingMode.UP));
                any = true;
            } else if (period != null && period.asLong() != DEFAULT_PERIOD) {
                throw ConfigFields.refuse(
                        "linux.resources.cpu.period",
                        period + ": only the default " + DEFAULT_PERIOD + " is supported without a quota");
            }
            String cpus = fields.text("linux.resources.cpu.cpus");
            if (cpus != null && !cpus.isEmpty()) {
                resources.cpusetCpus(cpus);
                any = true;
            }
            JsonNode reservation = number(fields, "linux.resources.memory.reservation");
            if (reservation != null && reservation.asLong() > 0) {
                resources.memoryReservation(reservation.asLong());
                any = true;
            }
            any |= BlockIoSection.read(fields, resources);
            JsonNode pids = number(fields, "linux.resources.pids.limit");
            if (pids != null) {
                // OCI: 0 or less is no limit
                resources.pidsLimit(pids.asLong() > 0 ? pids.asLong() : Resources.UNLIMITED);
                any = true;
            }
            Resources built = resources.build();
            if (any) {
                spec.with(built);
                cgroup = true;
            }
            cgroup |= TuningSection.read(fields, spec);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("linux.resources", e.getMessage());
        }
        return DeviceRules.read(fields, spec) || cgroup;
    }

    private static JsonNode number(ConfigFields fields, String path) {
        JsonNode node = fields.take(path);
        if (node != null && !node.isIntegralNumber()) {
            throw ConfigFields.refuse(path, node + ": expected an integer");
        }
        return node;
    }

    /**
     * A cgroupfs path ({@code /libpod_parent/libpod-ID}) as given, below each hierarchy's root; with
     * {@code --systemd-cgroup}, systemd's {@code slice:prefix:name} as the path systemd would use
     * ({@code machine.slice/libpod-ID.scope}, a slice {@code a-b.slice} nested in {@code a.slice}).
     */
    static String cgroupPath(String value, boolean systemd) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        String path;
        if (systemd) {
            String[] parts = value.split(":", -1);
            if (parts.length != 3 || parts[2].isEmpty()) {
                throw ConfigFields.refuse(
                        "linux.cgroupsPath",
                        "\"" + value
                                + "\": with --systemd-cgroup, expected slice:prefix:name such as machine.slice:libpod:ID");
            }
            String slice = parts[0].isEmpty() ? "system.slice" : parts[0];
            String unit = parts[2].endsWith(".slice")
                    ? parts[2]
                    : (parts[1].isEmpty() ? "" : parts[1] + "-") + parts[2] + ".scope";
            path = expandSlice(value, slice) + "/" + unit;
        } else {
            if (value.contains(":")) {
                throw ConfigFields.refuse(
                        "linux.cgroupsPath",
                        "\"" + value
                                + "\": a systemd slice:prefix:name path needs --systemd-cgroup; expected a cgroupfs path");
            }
            path = value;
        }
        try {
            return new CgroupPath(path).path();
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("linux.cgroupsPath", e.getMessage());
        }
    }

    /** {@code a-b-c.slice} lives in {@code a.slice/a-b.slice/a-b-c.slice}, as systemd nests slices. */
    private static String expandSlice(String value, String slice) {
        if (!slice.endsWith(".slice") || slice.contains("/")) {
            throw ConfigFields.refuse(
                    "linux.cgroupsPath",
                    "\"" + value + "\": slice \"" + slice + "\": expected a name ending in .slice");
        }
        if (slice.equals("-.slice")) {
            return "";
        }
        String name = slice.substring(0, slice.length() - ".slice".length());
        StringBuilder path = new StringBuilder();
        StringBuilder prefix = new StringBuilder();
        for (String part : name.split("-")) {
            if (part.isEmpty()) {
                throw ConfigFields.refuse(
                        "linux.cgroupsPath", "\"" + value + "\": slice \"" + slice + "\" is not a valid slice name");
            }
            prefix.append(prefix.length() == 0 ? "" : "-").append(part);
            path.append(path.length() == 0 ? "" : "/").append(prefix).append(".slice");
        }
        return path.toString();
    }
}
