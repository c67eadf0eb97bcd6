package io.isola.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host file or directory that an isolator asks to have bind-mounted at a path inside the
 * container's root ({@link IsolationRequest#requestBind}), such as the network isolator's
 * generated {@code /etc/hosts}. The isolator in charge of {@link Duty#BIND_REQUESTS} resolves
 * {@code target} inside the container's root as it resolves volumes (symbolic links followed
 * relative to that root, never onto the host), creates it when missing and mounts it before
 * {@code pivot_root}, so the mount is there whatever the root is (a directory, an image).
 *
 * @param what what the source is, for steps and error messages ({@code "the network's /etc/hosts"})
 * @param source the host path, which must exist when the container is prepared
 * @param target the absolute path in the container
 * @param readOnly whether the container sees it read-only
 * @since 1.1
 */
public record ContainerBind(String what, Path source, String target, boolean readOnly) {

    public ContainerBind {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (!target.startsWith("/")) {
            throw new IllegalArgumentException(
                    what + " target \"" + target + "\": expected an absolute path in the container");
        }
    }
}
