package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.ProcessScheduling;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code process.scheduler}, {@code process.ioPriority} and {@code linux.personality} into {@link
 * ProcessScheduling}: absent, the process inherits the runtime's, as the spec says.
 */
final class SchedulingSection {

    private SchedulingSection() {}

    /** The settings, or null when the config has none of them. */
    static ProcessScheduling read(ConfigFields fields) {
        ProcessScheduling.Scheduler scheduler = scheduler(fields);
        ProcessScheduling.IoPriority io = ioPriority(fields);
        ProcessScheduling.Personality personality = personality(fields);
        return scheduler == null && io == null && personality == null
                ? null
                : new ProcessScheduling(scheduler, io, personality);
    }

    private static ProcessScheduling.Scheduler scheduler(ConfigFields fields) {
        if (fields.at("process.scheduler") == null) {
            return null;
        }
        String policy = fields.text("process.scheduler.policy");
        if (policy == null) {
            throw ConfigFields.refuse(
                    "process.scheduler.policy",
                    "absent; expected one of " + new TreeSet<>(ProcessScheduling.POLICIES.keySet()));
        }
        try {
            return new ProcessScheduling.Scheduler(
                    policy,
                    (int) number(fields, "process.scheduler.nice"),
                    (int) number(fields, "process.scheduler.priority"),
                    fields.texts("process.scheduler.flags"),
                    number(fields, "process.scheduler.runtime"),
                    number(fields, "process.scheduler.deadline"),
                    number(fields, "process.scheduler.period"));
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("process.scheduler", e.getMessage());
        }
    }

    private static ProcessScheduling.IoPriority ioPriority(ConfigFields fields) {
        if (fields.at("process.ioPriority") == null) {
            return null;
        }
        String ioClass = fields.text("process.ioPriority.class");
        try {
            return new ProcessScheduling.IoPriority(
                    ioClass == null ? "" : ioClass, (int) number(fields, "process.ioPriority.priority"));
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("process.ioPriority", e.getMessage());
        }
    }

    private static ProcessScheduling.Personality personality(ConfigFields fields) {
        if (fields.at("linux.personality") == null) {
            return null;
        }
        List<String> flags = fields.texts("linux.personality.flags");
        if (!flags.isEmpty()) {
            // runc too sets only the domain
            throw ConfigFields.refuse("linux.personality.flags", flags + ": not supported; expected none");
        }
        try {
            return new ProcessScheduling.Personality(String.valueOf(fields.text("linux.personality.domain")));
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("linux.personality.domain", e.getMessage());
        }
    }

    private static long number(ConfigFields fields, String path) {
        JsonNode node = fields.take(path);
        if (node == null) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw ConfigFields.refuse(path, node + ": expected an integer");
        }
        return node.asLong();
    }
}
