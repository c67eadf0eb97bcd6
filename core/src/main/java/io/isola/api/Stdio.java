package io.isola.api;

import java.nio.file.Path;
import java.util.Objects;

/** Where one of the container's standard streams goes. */
public sealed interface Stdio {

    /**
     * The host process's own stream. The container runs in a session of its own even so: a
     * terminal here is never its controlling terminal, so a Ctrl-C there reaches the application,
     * not the container (forward it with {@link Container#kill} where the container should get it).
     */
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

    /**
     * An open file descriptor of the host process (a pipe, terminal, file or socket that a
     * resident server took over from its client): the container gets a duplicate of it, so it
     * writes to the very same open file. The caller keeps {@code fd} open until the container
     * has started, and closes it.
     */
    record Fd(int fd) implements Stdio {
        public Fd {
            if (fd < 0) {
                throw new IllegalArgumentException("file descriptor " + fd + ": expected 0 or more");
            }
        }
    }

    static Stdio file(Path path) {
        return new ToFile(path, false);
    }
}
