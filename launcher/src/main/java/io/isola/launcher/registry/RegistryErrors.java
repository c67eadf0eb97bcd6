package io.isola.launcher.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;

/** The distribution spec's error body, {@code {"errors": [{"code": ..., "message": ...}]}}, as a short text. */
final class RegistryErrors {

    private RegistryErrors() {}

    /** ": CODE message; ..." from the response's body, or "" when it has none that parses. */
    static String describe(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            byte[] content = body.readNBytes(64 << 10);
            JsonNode errors = RegistryClient.JSON.readTree(content).path("errors");
            StringBuilder text = new StringBuilder();
            for (JsonNode error : errors) {
                text.append(text.length() == 0 ? ": " : "; ")
                        .append(error.path("code").asText("?"));
                String message = error.path("message").asText("");
                if (!message.isEmpty()) {
                    text.append(" ").append(message);
                }
            }
            return text.toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
