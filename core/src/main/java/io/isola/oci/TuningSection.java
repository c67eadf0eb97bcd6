package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.CgroupTuning;
import io.isola.api.ContainerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code linux.resources} fields beyond Docker's limits into {@link CgroupTuning}: cpu mems,
 * real-time and idle, memory swappiness, the OOM killer switch and kernel TCP memory, huge pages,
 * network classes and the cgroup v2 {@code unified} files. Which the host can apply is the cgroup
 * isolator's to say, with its layout at hand.
 */
final class TuningSection {

    private static final Logger LOG = LoggerFactory.getLogger(TuningSection.class);
    private static final String R = "linux.resources.";

    private TuningSection() {}

    /** Whether any setting was read (the container then needs the cgroup isolator). */
    static boolean read(ConfigFields fields, ContainerSpec.Builder spec) {
        CgroupTuning.Builder tuning = CgroupTuning.builder();
        String mems = fields.text(R + "cpu.mems");
        if (mems != null && !mems.isEmpty()) {
            at(R + "cpu.mems", () -> tuning.cpusetMems(mems));
        }
        JsonNode runtime = number(fields, R + "cpu.realtimeRuntime");
        JsonNode period = number(fields, R + "cpu.realtimePeriod");
        // runc writes neither when both are 0, the values of an engine that sets nothing
        Long rt = runtime == null || runtime.asLong() == 0 ? null : runtime.asLong();
        Long rtPeriod = period == null || period.asLong() == 0 ? null : period.asLong();
        if (rt != null || rtPeriod != null) {
            at(R + "cpu.realtimeRuntime", () -> tuning.realtime(rt, rtPeriod));
        }
        JsonNode idle = number(fields, R + "cpu.idle");
        if (idle != null) {
            at(R + "cpu.idle", () -> tuning.cpuIdle(idle.asLong()));
        }
        JsonNode swappiness = number(fields, R + "memory.swappiness");
        if (swappiness != null) {
            at(R + "memory.swappiness", () -> tuning.memorySwappiness(swappiness.asLong()));
        }
        JsonNode oom = fields.take(R + "memory.disableOOMKiller");
        if (oom != null) {
            if (!oom.isBoolean()) {
                throw ConfigFields.refuse(R + "memory.disableOOMKiller", oom + ": expected true or false");
            }
            tuning.oomKillDisabled(oom.asBoolean());
        }
        JsonNode kernel = number(fields, R + "memory.kernel");
        if (kernel != null) {
            // Linux 5.4 deprecated the v1 kernel memory limit and 6.1 stopped enforcing it; runc ignores it too
            LOG.debug(
                    "config.json: {}memory.kernel {}: kernel memory limits are gone from the kernel; ignored, as runc does",
                    R,
                    kernel);
        }
        JsonNode kernelTcp = number(fields, R + "memory.kernelTCP");
        if (kernelTcp != null && kernelTcp.asLong() != 0) {
            at(R + "memory.kernelTCP", () -> tuning.kernelTcp(kernelTcp.asLong()));
        }
        hugepages(fields, tuning);
        network(fields, tuning);
        unified(fields, tuning);
        CgroupTuning built = tuning.build();
        if (built.isEmpty()) {
            return false;
        }
        spec.with(built);
        return true;
    }

    private static void hugepages(ConfigFields fields, CgroupTuning.Builder tuning) {
        JsonNode list = fields.take(R + "hugepageLimits");
        if (list == null) {
            return;
        }
        if (!list.isArray()) {
            throw ConfigFields.refuse(R + "hugepageLimits", "expected an array of {pageSize, limit}");
        }
        int index = 0;
        for (JsonNode entry : list) {
            String field = R + "hugepageLimits[" + index++ + "]";
            if (!entry.path("pageSize").isTextual() || !entry.path("limit").isIntegralNumber()) {
                throw ConfigFields.refuse(field, entry + ": expected {\"pageSize\": \"2MB\", \"limit\": bytes}");
            }
            at(
                    field,
                    () -> tuning.hugepageLimit(
                            entry.get("pageSize").asText(), entry.get("limit").asLong()));
        }
    }

    private static void network(ConfigFields fields, CgroupTuning.Builder tuning) {
        JsonNode classId = number(fields, R + "network.classID");
        if (classId != null) {
            at(R + "network.classID", () -> tuning.netClassId(classId.asLong()));
        }
        JsonNode priorities = fields.take(R + "network.priorities");
        if (priorities == null) {
            return;
        }
        if (!priorities.isArray()) {
            throw ConfigFields.refuse(R + "network.priorities", "expected an array of {name, priority}");
        }
        int index = 0;
        for (JsonNode entry : priorities) {
            String field = R + "network.priorities[" + index++ + "]";
            if (!entry.path("name").isTextual() || !entry.path("priority").isIntegralNumber()) {
                throw ConfigFields.refuse(field, entry + ": expected {\"name\": interface, \"priority\": number}");
            }
            at(
                    field,
                    () -> tuning.netPriority(
                            entry.get("name").asText(), entry.get("priority").asLong()));
        }
    }

    private static void unified(ConfigFields fields, CgroupTuning.Builder tuning) {
        JsonNode unified = fields.take(R + "unified");
        if (unified == null) {
            return;
        }
        if (!unified.isObject()) {
            throw ConfigFields.refuse(R + "unified", "expected an object of cgroup v2 file names and values");
        }
        unified.fields().forEachRemaining(entry -> {
            String field = R + "unified." + entry.getKey();
            if (!entry.getValue().isTextual()) {
                throw ConfigFields.refuse(field, entry.getValue() + ": expected a string value");
            }
            at(field, () -> tuning.unified(entry.getKey(), entry.getValue().asText()));
        });
    }

    private static JsonNode number(ConfigFields fields, String path) {
        JsonNode node = fields.take(path);
        if (node != null && !node.isIntegralNumber()) {
            throw ConfigFields.refuse(path, node + ": expected an integer");
        }
        return node;
    }

    /** Runs a builder setter, its refusal named by the field. */
    private static void at(String field, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse(field, e.getMessage());
        }
    }
}
