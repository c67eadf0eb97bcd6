package io.isola.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.isola.api.Filesystem;
import java.util.List;

/**
 * Where a container's {@code /} comes from, kept in its state so that {@code export} and {@code
 * commit} find its files after the process that started it has gone: a directory ({@code
 * --rootfs}), or an image's layers (top first) under the container's writable layer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SavedRoot(String rootfs, String image, List<String> layers, String writableLayer) {

    /** The root of {@code filesystem}; null for the default sandbox (the host's files). */
    public static SavedRoot of(Filesystem filesystem) {
        if (filesystem == null
                || (filesystem.rootfs().isEmpty() && filesystem.layers().isEmpty())) {
            return null;
        }
        return new SavedRoot(
                filesystem.rootfs().orElse(null),
                filesystem.image().orElse(null),
                filesystem.layers().isEmpty() ? null : filesystem.layers(),
                filesystem.writableLayer().orElse(null));
    }
}
