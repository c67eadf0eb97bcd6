package io.isola.launcher.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.launcher.registry.Digests;
import io.isola.launcher.registry.ImageReference;
import io.isola.launcher.registry.MediaTypes;
import io.isola.launcher.registry.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Picks the manifest for a platform from an OCI index or a Docker manifest list. */
final class PlatformChoice {

    private PlatformChoice() {}

    /** The digest of the first image manifest whose platform is {@code platform}; an error lists the platforms there are. */
    static String choose(JsonNode index, Platform platform, ImageReference reference) throws IOException {
        List<String> offered = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            JsonNode described = entry.path("platform");
            if (!entry.path("mediaType").asText(MediaTypes.OCI_MANIFEST).isEmpty()
                    && !MediaTypes.isManifest(entry.path("mediaType").asText(MediaTypes.OCI_MANIFEST))) {
                continue; // a nested index or an artifact
            }
            if (platform.matches(described)) {
                return Digests.check(entry.path("digest").asText(null), "the index's entry for " + platform);
            }
            String os = described.path("os").asText("?");
            if (!os.equals("unknown")) { // attestations (unknown/unknown) are no platform
                offered.add(os + "/" + described.path("architecture").asText("?")
                        + (described.hasNonNull("variant")
                                ? "/" + described.get("variant").asText()
                                : ""));
            }
        }
        throw new IllegalArgumentException("image " + reference + " has no variant for " + platform + "; it has "
                + (offered.isEmpty() ? "none" : String.join(", ", offered)) + " (choose with --platform)");
    }
}
