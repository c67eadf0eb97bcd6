package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.Capability;
import java.util.Set;

/**
 * {@code linux.resources.devices}, while isola does not program the devices cgroup yet. Two rule
 * lists are still honoured exactly, and every other is refused by name:
 * <ul>
 *   <li>allow everything (what {@code --privileged} asks): the container's devices are then
 *       limited by nothing but its mounts and capabilities, which is what isola does anyway;
 *   <li>deny everything first, then any allow rules (what podman and Docker ask): honoured when the
 *       container cannot reach a device beyond the ones every runtime allows, because it has no
 *       {@code CAP_MKNOD} to make one and no device is mounted in from the host (its {@code /dev}
 *       holds only null, zero, full, random, urandom, tty and its own ptys).
 * </ul>
 */
final class DeviceRules {

    static final String FIELD = "linux.resources.devices";

    private DeviceRules() {}

    static void check(ConfigFields fields, Set<Capability> bounding, boolean hostDevices) {
        JsonNode rules = fields.take(FIELD);
        if (rules == null || rules.isEmpty()) {
            return;
        }
        if (!rules.isArray()) {
            throw ConfigFields.refuse(FIELD, "expected an array of rules");
        }
        boolean denyFirst = isAll(rules.get(0), false);
        boolean allowAll = true;
        for (JsonNode rule : rules) {
            allowAll &= isAll(rule, true);
        }
        if (allowAll) {
            return;
        }
        if (!denyFirst) {
            throw ConfigFields.refuse(FIELD, "programming the devices cgroup is not supported yet; expected the rules to"
                    + " start with a deny-all rule ({\"allow\": false, \"access\": \"rwm\"}), or to allow everything");
        }
        if (bounding.contains(Capability.MKNOD)) {
            throw ConfigFields.refuse(FIELD, "a deny-all device rule is enforced without the devices cgroup only when"
                    + " the container cannot make device nodes; expected no CAP_MKNOD in process.capabilities.bounding");
        }
        if (hostDevices) {
            throw ConfigFields.refuse(FIELD, "a deny-all device rule is enforced without the devices cgroup only when no"
                    + " device is mounted in; expected no mount of /dev or of a device from the host");
        }
    }

    /** A rule for every device (no type or "a", no major or minor), that allows ({@code allow}) or denies rwm. */
    private static boolean isAll(JsonNode rule, boolean allow) {
        if (rule == null || !rule.isObject() || rule.path("allow").asBoolean(false) != allow) {
            return false;
        }
        String type = rule.path("type").asText("a");
        boolean anyMajor = !rule.hasNonNull("major") || rule.get("major").asLong() == -1;
        boolean anyMinor = !rule.hasNonNull("minor") || rule.get("minor").asLong() == -1;
        String access = rule.path("access").asText("rwm");
        return type.equals("a") && anyMajor && anyMinor && access.contains("r") && access.contains("w") && access.contains("m");
    }
}
