package io.isola.ns.cgroup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A cgroup2 hierarchy of a test class's own, mounted before its first test and unmounted after its
 * last, so that the v2 driver runs on this hybrid host; a kernel that refuses the mount skips the
 * class, saying why. A class registers it as {@code @RegisterExtension static final Cgroup2Mount
 * CGROUP2 = new Cgroup2Mount();}.
 */
final class Cgroup2Mount implements BeforeAllCallback, AfterAllCallback {

    private Path path;

    /** Where the hierarchy is mounted. */
    Path path() {
        return path;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path dir = Files.createTempDirectory("isola-cgroup2");
        Process mount = new ProcessBuilder("mount", "-t", "cgroup2", "none", dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(mount.getInputStream().readAllBytes(), UTF_8);
        if (!mount.waitFor(10, TimeUnit.SECONDS) || mount.exitValue() != 0) {
            Files.delete(dir);
            assumeTrue(false, "this kernel does not let us mount cgroup2: " + out);
        }
        path = dir;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (path != null) {
            new ProcessBuilder("umount", path.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(path);
        }
    }
}
