package io.isola.api;

import java.util.List;

/**
 * Spec extension: the kernel paths the mount isolator hides ({@code masked}: covered by an empty
 * file or directory) and makes read-only in the container, instead of its defaults (OCI's), as an
 * OCI config.json's {@code linux.maskedPaths} and {@code linux.readonlyPaths} list them. A
 * privileged {@link Security} masks nothing either way.
 */
public record KernelPaths(List<String> masked, List<String> readOnly) {

    public KernelPaths {
        masked = List.copyOf(masked);
        readOnly = List.copyOf(readOnly);
        masked.forEach(path -> Paths.requireAbsolute("masked path", path));
        readOnly.forEach(path -> Paths.requireAbsolute("read-only path", path));
    }
}
