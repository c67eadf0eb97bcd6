package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.Devices;

/**
 * {@code linux.devices}: the device nodes made in the container's {@code /dev} ({@link
 * Devices.Node}). As runc does, a node's mode defaults to 0666 and its owner to root; the cgroup
 * isolator allows the container to use each one.
 */
final class DeviceNodes {

    static final String FIELD = "linux.devices";
    private static final int DEFAULT_MODE = 0666;

    private DeviceNodes() {}

    /** Adds the nodes to {@code devices}; whether there are any. */
    static boolean read(ConfigFields fields, Devices.Builder devices) {
        JsonNode list = fields.take(FIELD);
        if (list == null || list.isEmpty()) {
            return false;
        }
        if (!list.isArray()) {
            throw ConfigFields.refuse(FIELD, "expected an array of devices");
        }
        int index = 0;
        for (JsonNode device : list) {
            String field = FIELD + "[" + index++ + "]";
            if (!device.isObject()) {
                throw ConfigFields.refuse(field, "expected an object with path, type, major and minor");
            }
            String type = device.path("type").asText("");
            if (type.length() != 1) {
                throw ConfigFields.refuse(field + ".type", "\"" + type + "\": expected c, u, b or p");
            }
            boolean fifo = type.equals("p");
            try {
                devices.node(new Devices.Node(
                        device.path("path").asText(""),
                        type.charAt(0),
                        number(field + ".major", device.get("major"), fifo),
                        number(field + ".minor", device.get("minor"), fifo),
                        (int) optional(field + ".fileMode", device.get("fileMode"), DEFAULT_MODE),
                        optional(field + ".uid", device.get("uid"), 0),
                        optional(field + ".gid", device.get("gid"), 0)));
            } catch (ConfigException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw ConfigFields.refuse(field, e.getMessage());
            }
        }
        return true;
    }

    /** A device's number: required but for a FIFO, which has none. */
    private static long number(String field, JsonNode node, boolean fifo) {
        if (node == null || node.isNull()) {
            if (fifo) {
                return 0;
            }
            throw ConfigFields.refuse(
                    field, "absent: expected the device's number (a character or block device has one)");
        }
        return optional(field, node, 0);
    }

    private static long optional(String field, JsonNode node, long fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || node.asLong() < 0) {
            throw ConfigFields.refuse(field, node + ": expected a number of 0 or more");
        }
        return node.asLong();
    }
}
