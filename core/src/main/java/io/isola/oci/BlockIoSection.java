package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.IoThrottle;
import io.isola.api.Resources;
import java.util.Map;

/**
 * {@code linux.resources.blockIO}: the weight and the throttle lists ({@code {major, minor, rate}}
 * entries) into {@link Resources}. Per-device weights ({@code weightDevice}) and the leaf weight
 * are left unread, so they are refused by name rather than ignored.
 */
final class BlockIoSection {

    private static final String FIELD = "linux.resources.blockIO";
    private static final Map<String, IoThrottle.Kind> THROTTLES = Map.of(
            "throttleReadBpsDevice", IoThrottle.Kind.READ_BPS,
            "throttleWriteBpsDevice", IoThrottle.Kind.WRITE_BPS,
            "throttleReadIOPSDevice", IoThrottle.Kind.READ_IOPS,
            "throttleWriteIOPSDevice", IoThrottle.Kind.WRITE_IOPS);

    private BlockIoSection() {}

    /** Whether any limit was read. */
    static boolean read(ConfigFields fields, Resources.Builder resources) {
        boolean any = false;
        JsonNode weight = fields.take(FIELD + ".weight");
        if (weight != null) {
            if (!weight.isIntegralNumber()) {
                throw ConfigFields.refuse(FIELD + ".weight", weight + ": expected an integer");
            }
            resources.blkioWeight(weight.asInt());
            any = true;
        }
        for (Map.Entry<String, IoThrottle.Kind> list : THROTTLES.entrySet()) {
            String path = FIELD + "." + list.getKey();
            JsonNode entries = fields.take(path);
            if (entries == null) {
                continue;
            }
            if (!entries.isArray()) {
                throw ConfigFields.refuse(path, "expected an array of {major, minor, rate}");
            }
            for (JsonNode entry : entries) {
                if (!entry.path("major").isIntegralNumber()
                        || !entry.path("minor").isIntegralNumber()
                        || !entry.path("rate").isIntegralNumber()) {
                    throw ConfigFields.refuse(path, entry + ": expected {major, minor, rate} with integers");
                }
                resources.ioThrottle(new IoThrottle(
                        list.getValue(),
                        entry.get("major").asLong(),
                        entry.get("minor").asLong(),
                        entry.get("rate").asLong()));
                any = true;
            }
        }
        return any;
    }
}
