package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.ContainerSpec;
import io.isola.api.Devices;

/**
 * {@code linux.resources.devices} into the device cgroup rules of {@link Devices}, which the cgroup
 * isolator programs after its own baseline: deny everything, then runc's default devices (null,
 * zero, full, random, urandom, tty, console, ptmx, pts, tun).
 *
 * <p>runc applies the config's rules first and appends its defaults; engines therefore start the
 * list with a deny-all rule (podman and Docker do). That leading rule is the baseline already and
 * is dropped, so that appended after the defaults it does not deny them; the other rules follow
 * in order.
 */
final class DeviceRules {

    static final String FIELD = "linux.resources.devices";

    private DeviceRules() {}

    /**
     * Whether the config has device rules or device nodes ({@code linux.devices}), which need the
     * cgroup isolator: it programs the rules and makes the nodes.
     */
    static boolean read(ConfigFields fields, ContainerSpec.Builder spec) {
        Devices.Builder devices = Devices.builder();
        boolean nodes = DeviceNodes.read(fields, devices);
        JsonNode rules = fields.take(FIELD);
        if (rules == null || rules.isEmpty()) {
            if (nodes) {
                spec.with(devices.build());
            }
            return nodes;
        }
        if (!rules.isArray()) {
            throw ConfigFields.refuse(FIELD, "expected an array of rules");
        }
        int index = 0;
        for (JsonNode rule : rules) {
            String field = FIELD + "[" + index + "]";
            Devices.Rule parsed = rule(field, rule);
            boolean leadingDenyAll = index == 0
                    && !parsed.allow()
                    && parsed.type() == 'a'
                    && parsed.major() == Devices.Rule.ANY
                    && parsed.minor() == Devices.Rule.ANY;
            if (!leadingDenyAll) {
                devices.rule(parsed);
            }
            index++;
        }
        spec.with(devices.build());
        return true;
    }

    private static Devices.Rule rule(String field, JsonNode rule) {
        if (!rule.isObject()) {
            throw ConfigFields.refuse(field, "expected an object with allow, type, major, minor and access");
        }
        JsonNode allow = rule.get("allow");
        if (allow == null || !allow.isBoolean()) {
            throw ConfigFields.refuse(field + ".allow", "expected true or false");
        }
        String type = rule.path("type").asText("a");
        try {
            return new Devices.Rule(
                    allow.asBoolean(),
                    type.length() == 1 ? type.charAt(0) : '?',
                    number(field + ".major", rule.get("major")),
                    number(field + ".minor", rule.get("minor")),
                    rule.path("access").asText("rwm"));
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse(field, e.getMessage());
        }
    }

    private static long number(String field, JsonNode node) {
        if (node == null || node.isNull()) {
            return Devices.Rule.ANY;
        }
        if (!node.isIntegralNumber() || node.asLong() < -1) {
            throw ConfigFields.refuse(field, node + ": expected a device number, or -1 for any");
        }
        return node.asLong();
    }
}
