package io.isola.launcher.cli.run;

import java.io.IOException;
import java.util.Optional;

/** Small text files of a container's root, read from the host as the container sees them. */
@FunctionalInterface
interface RootFiles {

    /** The text of {@code path} (absolute inside the container), or empty when nothing is there. */
    Optional<String> read(String path) throws IOException;
}
