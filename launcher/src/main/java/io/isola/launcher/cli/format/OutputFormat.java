package io.isola.launcher.cli.format;

import java.util.Locale;
import java.util.Optional;

/**
 * The two words {@code --format} takes beside a template: the verb's own table, or JSON. A verb
 * that takes no template {@link #parse}s; one that does asks {@link #named} and reads anything
 * else as a {@link GoTemplate}.
 */
public enum OutputFormat {
    TABLE,
    JSON;

    /** As the user types it. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The word's format, or empty when {@code option} is not one of the two (a template). */
    public static Optional<OutputFormat> named(String option) {
        for (OutputFormat format : values()) {
            if (format.word().equals(option)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    /** The word's format; throws naming the value and the two allowed. */
    public static OutputFormat parse(String option) {
        return named(option)
                .orElseThrow(() -> new IllegalArgumentException(
                        "format \"" + option + "\": expected " + TABLE.word() + " or " + JSON.word()));
    }
}
