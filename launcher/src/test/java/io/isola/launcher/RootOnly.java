package io.isola.launcher;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Skips, with the reason, tests that create namespaces: that takes root. */
final class RootOnly {

    private RootOnly() {}

    static void require() {
        try {
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            assumeTrue(uid == 0, "creating namespaces needs root; running as uid " + uid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
