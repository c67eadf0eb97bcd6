package io.isola.api;

import java.util.List;

/**
 * Spec extension: the container's cgroup, as a path below each hierarchy's root, instead of the
 * cgroup isolator's {@code <parent>/<id>}, as an OCI config.json's {@code linux.cgroupsPath} names
 * it. The cgroup is created when missing.
 *
 * @param path relative to the hierarchies' roots, such as {@code machine.slice/libpod-ID.scope}
 */
public record CgroupPath(String path) {

    public CgroupPath {
        String trimmed = path == null ? "" : path.replaceAll("^/+|/+$", "");
        if (trimmed.isEmpty()
                || List.of(trimmed.split("/")).stream()
                        .anyMatch(s ->
                                s.isEmpty() || s.equals(".") || s.equals("..") || !s.matches("[A-Za-z0-9_.:@-]+"))) {
            throw new IllegalArgumentException(
                    "cgroup path \"" + path
                            + "\": expected a path of names made of letters, digits, '_', '.', ':', '@' or '-', without . or ..");
        }
        path = trimmed;
    }
}
