package io.isola.launcher.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code docker image inspect} and {@code docker history} show of an image, read from the
 * store's record and the image's config blob.
 */
public final class ImageInspection {

    private ImageInspection() {}

    /** Docker's fields of {@code image inspect}, in Docker's order. */
    public static Map<String, Object> of(ImageStore store, Image image) {
        JsonNode config = store.configOf(image);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("Id", image.id());
        fields.put(
                "RepoTags",
                store.list().stream()
                        .filter(other -> other.id().equals(image.id()))
                        .map(Image::name)
                        .filter(name -> !name.contains("@"))
                        .toList());
        fields.put("RepoDigests", List.of());
        fields.put("Parent", "");
        fields.put("Comment", text(config, "comment"));
        fields.put("Created", text(config, "created"));
        fields.put("DockerVersion", text(config, "docker_version"));
        fields.put("Author", text(config, "author"));
        fields.put("Config", config.has("config") ? config.get("config") : null);
        fields.put("Architecture", text(config, "architecture"));
        if (config.hasNonNull("variant")) {
            fields.put("Variant", config.get("variant").asText());
        }
        fields.put("Os", text(config, "os"));
        fields.put("Size", image.size());
        List<String> lowerTopFirst = new ArrayList<>();
        image.layers().forEach(layer -> lowerTopFirst.add(0, store.layer(layer).toString()));
        fields.put(
                "GraphDriver", Map.of("Name", "overlay", "Data", Map.of("LowerDir", String.join(":", lowerTopFirst))));
        fields.put("RootFS", Map.of("Type", "layers", "Layers", image.layers()));
        fields.put("Metadata", Map.of("LastTagTime", image.imported()));
        return fields;
    }

    /**
     * One step of an image's history, newest first as {@code docker history} lists them.
     *
     * @param layer the layer the step made, or null for one that made none (ENV, CMD, ...)
     */
    public record Step(String created, String createdBy, String comment, String layer, long size) {}

    /**
     * The config's {@code history}, newest first, each step that made a layer paired with it (in
     * order, as the spec pairs them) and its size; an image whose config has no history (an
     * archive made by hand) gets a step per layer.
     */
    public static List<Step> history(ImageStore store, Image image) throws IOException {
        JsonNode config = store.configOf(image);
        List<Step> steps = new ArrayList<>();
        int next = 0;
        for (JsonNode entry : config.path("history")) {
            boolean empty = entry.path("empty_layer").asBoolean(false);
            String layer = empty || next >= image.layers().size()
                    ? null
                    : image.layers().get(next++);
            steps.add(
                    0,
                    new Step(
                            text(entry, "created"),
                            text(entry, "created_by"),
                            text(entry, "comment"),
                            layer,
                            layer == null ? 0 : store.layerSize(layer)));
        }
        for (; next < image.layers().size(); next++) {
            String layer = image.layers().get(next);
            steps.add(0, new Step(text(config, "created"), "", "", layer, store.layerSize(layer)));
        }
        return steps;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : "";
    }
}
