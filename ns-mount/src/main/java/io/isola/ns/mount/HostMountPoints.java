package io.isola.ns.mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The empty host directories the child mounts on, in its own mount namespace only, before
 * pivot_root: the host never sees anything mounted there, so every container uses the same ones.
 * They are not in isola's state directory (/run/isola, 0700): in a user namespace the child is an
 * unprivileged host uid, which must be able to reach them, and an empty directory that only root
 * may change shows nobody anything. A user who may not create them (rootless) gets their own in
 * the temporary directory, beside its state directory rather than in it: that one is 0700, and a
 * user namespace whose root is a subordinate uid must pass through to the mount point.
 */
final class HostMountPoints {

    /** Where the sandbox's root tmpfs or an image's overlay is mounted. */
    static final Path SHARED_ROOT = Path.of("/run/isola-sandbox");
    /** Where a user namespace's bind sources are staged ({@code io.isola.spi.support.StagedBinds}). */
    static final Path SHARED_BINDS = Path.of("/run/isola-binds");

    private HostMountPoints() {}

    static Path root() {
        return choose(SHARED_ROOT, "sandbox");
    }

    static Path binds() {
        return choose(SHARED_BINDS, "binds");
    }

    /** Where a rootless child stages its binds: mount points it makes itself, so always in the user's own directory. */
    static Path ownBinds() {
        return Path.of(System.getProperty("java.io.tmpdir"), ownParentName(), "binds");
    }

    /**
     * Creates {@code dir} (and its parents) when missing; a user's own parent in the temporary
     * directory is refused when somebody else made it or it is a link.
     */
    static void create(Path dir, String what) {
        try {
            Path parent = dir.getParent();
            if (parent.getFileName().toString().equals(ownParentName())) {
                Files.createDirectories(parent);
                long owner = ((Number) Files.getAttribute(parent, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
                if (owner != SandboxRoot.uid() || !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalStateException("the directory of your mount points " + parent + " belongs to uid "
                            + owner + " or is a link, not a directory of yours (uid " + SandboxRoot.uid()
                            + "); remove it");
                }
                // passable by a user namespace's subordinate root; it holds only empty directories
                Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Files.createDirectories(dir);
            if (parent.getFileName().toString().equals(ownParentName())) {
                // whatever the umask: a subordinate root passes through it to what is mounted there
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the " + what + " " + dir, e);
        }
    }

    private static String ownParentName() {
        return "isola-" + SandboxRoot.directoryUid() + "-mnt";
    }

    private static Path choose(Path shared, String own) {
        if (Files.isDirectory(shared) || Files.isWritable(shared.getParent())) {
            return shared;
        }
        return Path.of(System.getProperty("java.io.tmpdir"), ownParentName(), own);
    }
}
