package io.isola.api;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A host directory or file bound into the container, as {@code -v HOST:CTR[:ro]} gives it. Only
 * the form is checked here; whether the source exists is checked on the host when a container
 * starts, before anything is created.
 *
 * @param source absolute path on the host
 * @param target absolute path inside the container; resolved inside the container's root, never
 *     on the host, and created when missing
 * @param readOnly whether the container may not write through it
 * @param options further mount flags ({@code -v}'s volumes have none: recursive, suid, dev, exec)
 */
public record Volume(String source, String target, boolean readOnly, Set<Option> options) {

    /** Mount flags beyond read-only, as an OCI config.json's mount options name them. */
    public enum Option {
        NOSUID, NODEV, NOEXEC,
        /** {@code bind} rather than {@code rbind}: the mounts below the source are not brought along. */
        NONRECURSIVE
    }

    public Volume(String source, String target, boolean readOnly) {
        this(source, target, readOnly, Set.of());
    }

    public Volume {
        options = options.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(options));
        Paths.requireAbsolute("volume source", source);
        Paths.requireAbsolute("volume target", target);
        if (Paths.isRoot(target)) {
            throw new IllegalArgumentException("volume target \"" + target
                    + "\": expected a path below /, the container's root cannot be a volume (use a root file system)");
        }
    }

    /** Parses {@code HOST:CTR}, {@code HOST:CTR:ro} or {@code HOST:CTR:rw}. */
    public static Volume parse(String value) {
        Objects.requireNonNull(value, "value");
        String[] parts = value.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("volume \"" + value + "\": expected HOST:CONTAINER or HOST:CONTAINER:ro");
        }
        boolean readOnly = false;
        if (parts.length == 3) {
            switch (parts[2]) {
                case "ro" -> readOnly = true;
                case "rw" -> readOnly = false;
                default -> throw new IllegalArgumentException("volume \"" + value + "\": option \"" + parts[2]
                        + "\" is not known, expected ro or rw");
            }
        }
        return new Volume(parts[0], parts[1], readOnly);
    }
}
