package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a config.json while remembering which fields were read, so that whatever is left over
 * can be refused by name: an OCI runtime that ignores a field it does not implement runs the
 * container less isolated than asked, silently.
 */
final class ConfigFields {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFields.class);

    private final JsonNode root;
    private final Set<String> read = new TreeSet<>();

    ConfigFields(JsonNode root) {
        this.root = root;
    }

    /** The node at a dotted path ("process.args"), marked as read with everything under it; null if absent. */
    JsonNode take(String path) {
        JsonNode node = at(path);
        if (node != null) {
            read.add(path);
        }
        return node;
    }

    /** The node at a path without marking it (to look before deciding). */
    JsonNode at(String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node == null || node.isNull() ? null : node;
    }

    String text(String path) {
        JsonNode node = take(path);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw refuse(path, "expected a string");
        }
        return node.asText();
    }

    List<String> texts(String path) {
        JsonNode node = take(path);
        List<String> values = new ArrayList<>();
        if (node == null) {
            return values;
        }
        if (!node.isArray()) {
            throw refuse(path, "expected an array of strings");
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw refuse(path, "expected an array of strings");
            }
            values.add(item.asText());
        }
        return values;
    }

    /**
     * Every leaf field present that nothing read, as dotted paths. Empty objects, empty arrays and
     * false booleans ask for nothing and are not listed.
     */
    List<String> unread() {
        List<String> left = new ArrayList<>();
        collect(root, "", left);
        return left;
    }

    /**
     * The fields of {@link #unread} that the runtime-spec defines, which isola must refuse; the
     * others, unknown to the spec, are ignored as it says ({@link SpecProperties}).
     */
    List<String> unsupported() {
        List<String> unsupported = new ArrayList<>();
        for (String field : unread()) {
            if (SpecProperties.known(field)) {
                unsupported.add(field);
            } else {
                LOG.debug("config.json: {}: not a property of the runtime-spec's; ignored, as the spec says", field);
            }
        }
        return unsupported;
    }

    private void collect(JsonNode node, String path, List<String> left) {
        if (!path.isEmpty() && isRead(path)) {
            return;
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                collect(field.getValue(), path.isEmpty() ? field.getKey() : path + "." + field.getKey(), left);
            }
        } else if (node.isArray()) {
            if (!node.isEmpty()) {
                left.add(path);
            }
        } else if (!(node.isBoolean() && !node.asBoolean()) && !node.isNull()) {
            left.add(path);
        }
    }

    private boolean isRead(String path) {
        for (String done : read) {
            if (path.equals(done) || path.startsWith(done + ".")) {
                return true;
            }
        }
        return false;
    }

    static ConfigException refuse(String field, String why) {
        return new ConfigException(field, why);
    }
}
