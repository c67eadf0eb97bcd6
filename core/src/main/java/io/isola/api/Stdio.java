package io.isola.api;

import java.nio.file.Path;
import java.util.Objects;

/** Where one of the container's standard streams goes. */
public sealed interface Stdio {

    /** The host process's own stream. */
    Stdio INHERIT = new Inherit();
    /** {@code /dev/null}. */
    Stdio NULL = new ToFile(Path.of("/dev/null"), false);
    /** A pipe that the application reads or writes through the {@link Container}. */
    Stdio PIPE = new Pipe();

    record Inherit() implements Stdio {}

    record Pipe() implements Stdio {}

    /** A file, created if missing; output streams truncate it unless {@code append}. */
    record ToFile(Path path, boolean append) implements Stdio {
        public ToFile {
            Objects.requireNonNull(path, "path");
        }
    }

    static Stdio file(Path path) {
        return new ToFile(path, false);
    }
}
