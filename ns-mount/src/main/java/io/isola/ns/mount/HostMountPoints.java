package io.isola.ns.mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The empty host directories the child mounts on, in its own mount namespace only, before
 * pivot_root: the host never sees anything mounted there, so every container uses the same ones.
 * They are not in isola's state directory (/run/isola, 0700): in a user namespace the child is an
 * unprivileged host uid, which must be able to reach them, and an empty directory that only root
 * may change shows nobody anything. A user who may not create them (rootless) gets their own in
 * the temporary directory.
 */
final class HostMountPoints {

    /** Where the sandbox's root tmpfs or an image's overlay is mounted. */
    static final Path SHARED_ROOT = Path.of("/run/isola-sandbox");
    /** Where a user namespace's bind sources are staged ({@code io.isola.spi.StagedBinds}). */
    static final Path SHARED_BINDS = Path.of("/run/isola-binds");

    private HostMountPoints() {}

    static Path root() {
        return choose(SHARED_ROOT, "sandbox");
    }

    static Path binds() {
        return choose(SHARED_BINDS, "binds");
    }

    /** Creates {@code dir} (and its parents) when missing. */
    static void create(Path dir, String what) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the " + what + " " + dir, e);
        }
    }

    private static Path choose(Path shared, String own) {
        if (Files.isDirectory(shared) || Files.isWritable(shared.getParent())) {
            return shared;
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "isola-" + SandboxRoot.uid(), own);
    }
}
