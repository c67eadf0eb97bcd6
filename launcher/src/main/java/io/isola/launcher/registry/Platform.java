package io.isola.launcher.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** An image platform, {@code OS/ARCH[/VARIANT]} as {@code --platform} takes it; the host's by default. */
public record Platform(String os, String architecture, String variant) {

    /** Parses {@code linux/amd64} or {@code linux/arm64/v8}; an error names the value. */
    public static Platform parse(String value) {
        String[] parts =
                value == null ? new String[0] : value.toLowerCase(Locale.ROOT).split("/", -1);
        if (parts.length < 2
                || parts.length > 3
                || parts[0].isEmpty()
                || parts[1].isEmpty()
                || (parts.length == 3 && parts[2].isEmpty())) {
            throw new IllegalArgumentException(
                    "platform \"" + value + "\": expected OS/ARCH[/VARIANT], such as linux/amd64");
        }
        return new Platform(parts[0], architecture(parts[1]), parts.length == 3 ? parts[2] : null);
    }

    /** This machine's: linux and the JVM's architecture in Go's names (amd64, arm64, ...). */
    public static Platform host() {
        return new Platform("linux", architecture(System.getProperty("os.arch")), null);
    }

    private static String architecture(String name) {
        return switch (name) {
            case "x86_64", "x86-64" -> "amd64";
            case "aarch64" -> "arm64";
            case "i386", "i686", "x86" -> "386";
            default -> name;
        };
    }

    /** Whether an index entry's {@code platform} object is this one (a variant is compared when asked for). */
    public boolean matches(JsonNode platform) {
        if (platform == null
                || !os.equals(platform.path("os").asText())
                || !architecture.equals(platform.path("architecture").asText())) {
            return false;
        }
        return variant == null || variant.equals(platform.path("variant").asText());
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant != null ? "/" + variant : "");
    }
}
