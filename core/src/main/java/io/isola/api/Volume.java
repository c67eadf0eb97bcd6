package io.isola.api;

import java.util.Collections;
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
        NOSUID,
        NODEV,
        NOEXEC,
        /** {@code bind} rather than {@code rbind}: the mounts below the source are not brought along. */
        NONRECURSIVE,
        /**
         * In a user namespace, the source gets an idmapped mount (podman's {@code idmap}) unless
         * the namespace maps its owner already: host root's files show as the container root's,
         * and what the container writes keeps the container's ids on the host. Needs root on the
         * host; without a user namespace it changes nothing.
         * @since 1.3
         */
        IDMAP,
        /**
         * The source is the container's own new directory (a volume made for it): before the
         * container starts, each entry owned by id {@code u} is given the host id that container
         * id {@code u} maps to, so that the container's root owns it (podman chows a new volume
         * so). Without a user namespace it changes nothing.
         * @since 1.3
         */
        SHIFT_OWNERS
    }

    public Volume(String source, String target, boolean readOnly) {
        this(source, target, readOnly, Set.of());
    }

    public Volume {
        options = options.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(options));
        Paths.requireAbsolute("volume source", source);
        Paths.requireAbsolute("volume target", target);
        if (Paths.isRoot(target)) {
            throw new IllegalArgumentException("volume target \"" + target
                    + "\": expected a path below /, the container's root cannot be a volume (use a root file system)");
        }
    }

    /** Parses {@code HOST:CTR} or {@code HOST:CTR:OPTIONS}, the options a comma-separated list of ro, rw and idmap. */
    public static Volume parse(String value) {
        Objects.requireNonNull(value, "value");
        String[] parts = value.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException(
                    "volume \"" + value + "\": expected HOST:CONTAINER or HOST:CONTAINER:ro");
        }
        boolean readOnly = false;
        Set<Option> options = EnumSet.noneOf(Option.class);
        for (String option : parts.length == 3 ? parts[2].split(",", -1) : new String[0]) {
            switch (option) {
                case "ro" -> readOnly = true;
                case "rw" -> readOnly = false;
                case "idmap" -> options.add(Option.IDMAP);
                default ->
                    throw new IllegalArgumentException("volume \"" + value + "\": option \"" + option
                            + "\" is not known, expected ro, rw or idmap");
            }
        }
        return new Volume(parts[0], parts[1], readOnly, options);
    }
}
