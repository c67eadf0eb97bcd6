package io.isola.launcher;

import io.isola.api.IsolaException;
import io.isola.lifecycle.StateStore;
import io.isola.spi.HostIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where this user's temporary runtime files (the Felix bundle cache) go. Root keeps the JVM's
 * temporary directory. Anybody else gets a directory of their own, as podman rootless does:
 * {@code $XDG_RUNTIME_DIR/isola}, else {@code <tmpdir>/isola-<uid>}, mode 0700, refused when it is
 * a link or belongs to somebody else (another user could have made it to watch or swap the files).
 */
public final class RuntimeDir {

    private RuntimeDir() {}

    public static Path forCurrentUser() {
        HostIdentity host = HostIdentity.current();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (host.isRoot()) {
            return tmp;
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg)) && Files.isWritable(Path.of(xdg))
                ? Path.of(xdg, "isola") : tmp.resolve("isola-" + host.uid());
        return ownDirectory(dir, host.uid());
    }

    /**
     * The container state directory: {@link StateStore#defaultRoot()} for root; for anybody else
     * the same directory as {@link #forCurrentUser()} ({@code $XDG_RUNTIME_DIR/isola}, as the
     * store's default, or the per-user fallback when XDG_RUNTIME_DIR is not set, as under
     * {@code su} or {@code runuser}). Bundle caches there are no containers to the store.
     */
    public static Path state() {
        return HostIdentity.current().isRoot() ? StateStore.defaultRoot() : forCurrentUser();
    }

    public static Path ownDirectory(Path dir, long uid) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IsolaException("runtime directory " + dir + ": not a directory (a link?); remove it");
            }
            long owner = Integer.toUnsignedLong((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            if (owner != uid) {
                throw new IsolaException("runtime directory " + dir + ": owned by uid " + owner + ", not by you (uid " + uid
                        + "); remove it or set XDG_RUNTIME_DIR");
            }
            return dir;
        } catch (IOException e) {
            throw new IsolaException("cannot create the runtime directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
