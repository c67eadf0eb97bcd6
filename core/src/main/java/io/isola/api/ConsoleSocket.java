package io.isola.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Spec extension for an engine's terminal (runc's {@code --console-socket}): the container's
 * standard streams are a new pseudo-terminal that the container's process opens itself, from its
 * own {@code /dev/ptmx} (the container's devpts instance when it has a mount namespace), so that
 * {@code tty} inside names {@code /dev/pts/N} there. The terminal's master end is sent over the
 * {@code AF_UNIX} stream socket at {@code path} (one message, the name {@code /dev/ptmx} as data
 * and the descriptor as {@code SCM_RIGHTS}), as runc does; the runtime keeps no copy. The process
 * becomes a session leader with the terminal as its controlling terminal.
 */
public record ConsoleSocket(Path path) {

    public ConsoleSocket {
        Objects.requireNonNull(path, "path");
    }
}
