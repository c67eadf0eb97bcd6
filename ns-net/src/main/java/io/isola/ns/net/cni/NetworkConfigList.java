package io.isola.ns.net.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A CNI network configuration list ({@code .conflist}), or a single plugin configuration
 * ({@code .conf}) read as a list of one, with the file it came from so every error can name it.
 *
 * @param name the network's name ({@code "name"})
 * @param cniVersion the spec version the runtime speaks to the plugins ({@code "cniVersion"})
 * @param plugins the plugin configurations, in ADD order
 * @param disableCheck whether CHECK is turned off for this network
 * @param source the file it was read from (or a description for a built-in list)
 * @param json the whole list, as read: kept in the container's state so a later DEL uses exactly it
 */
public record NetworkConfigList(
        String name,
        String cniVersion,
        List<ObjectNode> plugins,
        boolean disableCheck,
        String source,
        ObjectNode json) {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    public NetworkConfigList {
        plugins = List.copyOf(plugins);
    }

    /** Reads and checks {@code file}; every problem is reported with the file's path. */
    public static NetworkConfigList read(Path file) throws CniException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new CniException("network configuration " + file + ": cannot be read: " + e.getMessage());
        }
        return parse(text, file.toString(), !file.getFileName().toString().endsWith(".conflist"));
    }

    /**
     * Parses a configuration; {@code singlePlugin} for a {@code .conf} file, whose object is one
     * plugin's configuration rather than a list (unless it has a {@code "plugins"} array anyway).
     */
    public static NetworkConfigList parse(String text, String source, boolean singlePlugin) throws CniException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new CniException(
                    "network configuration " + source + ": malformed JSON" + where + ": " + e.getOriginalMessage());
        }
        if (!(root instanceof ObjectNode object)) {
            throw new CniException("network configuration " + source + ": expected a JSON object");
        }
        ObjectNode list = object;
        if (singlePlugin && !object.has("plugins")) {
            list = JSON.createObjectNode();
            list.set("cniVersion", object.get("cniVersion"));
            list.set("name", object.get("name"));
            list.putArray("plugins").add(object.deepCopy());
        }
        String name = text(list, "name", source);
        if (!NAME.matcher(name).matches()) {
            throw new CniException("network configuration " + source + ": network name \"" + name
                    + "\" must be letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        String version = text(list, "cniVersion", source);
        JsonNode pluginArray = list.get("plugins");
        if (!(pluginArray instanceof ArrayNode array) || array.isEmpty()) {
            throw new CniException("network configuration " + source + ": \"plugins\" must be a non-empty array");
        }
        List<ObjectNode> plugins = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof ObjectNode plugin)) {
                throw new CniException("network configuration " + source + ": plugins[" + i + "] must be an object");
            }
            text(plugin, "type", source + " plugins[" + i + "]");
            plugins.add(plugin);
        }
        return new NetworkConfigList(
                name, version, plugins, list.path("disableCheck").asBoolean(false), source, list);
    }

    private static String text(JsonNode node, String field, String source) throws CniException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new CniException(
                    "network configuration " + source + ": \"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }

    /** Every plugin type, in order, for checking that each is installed. */
    public List<String> types() {
        return plugins.stream().map(p -> p.get("type").asText()).toList();
    }

    /** Whether some plugin declares the capability ({@code "portMappings"}), so the runtime may pass it. */
    public boolean hasCapability(String capability) {
        return plugins.stream()
                .anyMatch(p -> p.path("capabilities").path(capability).asBoolean(false));
    }

    /** "network "isola" (/etc/isola/net.d/isola.conflist)": how errors name this network. */
    public String describe() {
        return "network \"" + name + "\" (" + source + ")";
    }
}
