package io.isola.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Spec extension (runc's {@code --preserve-fds N}): the host process's file descriptors 3 to
 * {@code 3 + count - 1} are passed into the container under the same numbers and stay open across
 * its exec; every other descriptor beyond 0-2 is still closed. Each must be open in the host
 * process when the container starts.
 */
public record InheritedFds(int count) {

    /** An fd limit the kernel would refuse anyway long before; keeps the step list small. */
    public static final int MAX = 1024;

    public InheritedFds {
        if (count < 0 || count > MAX) {
            throw new IllegalArgumentException("preserved file descriptors " + count + ": expected 0 to " + MAX);
        }
    }

    /** The descriptors, 3 and up. */
    public List<Integer> fds() {
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            fds.add(3 + i);
        }
        return fds;
    }

    /** Throws naming the first of {@link #fds()} that this process does not have open. */
    public void requireOpen() {
        for (int fd : fds()) {
            if (!Files.exists(Path.of("/proc/self/fd/" + fd))) {
                throw new IllegalArgumentException("preserved file descriptors " + count + ": fd " + fd
                        + " is not open in this process (expected 3 to " + (2 + count) + " to be open)");
            }
        }
    }
}
