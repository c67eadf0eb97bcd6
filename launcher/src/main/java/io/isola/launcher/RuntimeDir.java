package io.isola.launcher;

import io.isola.internal.security.OwnedPaths;
import io.isola.lifecycle.StateStore;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.UserNamespaceView;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where this user's temporary runtime files (the Felix bundle cache) go. The host's root keeps the
 * JVM's temporary directory. Anybody else (the root of a rootless engine's user namespace too)
 * gets a directory of their own, as podman rootless does:
 * {@code $XDG_RUNTIME_DIR/isola}, else {@code <tmpdir>/isola-<uid>}, mode 0700, refused when it is
 * a link or belongs to somebody else (another user could have made it to watch or swap the files).
 */
public final class RuntimeDir {

    private RuntimeDir() {}

    public static Path forCurrentUser() {
        HostIdentity host = HostIdentity.current();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (host.isHostRoot()) {
            return tmp;
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg)) && Files.isWritable(Path.of(xdg))
                ? Path.of(xdg, "isola")
                : tmp.resolve("isola-" + UserNamespaceView.current().directoryUid(host.uid()));
        return ownDirectory(dir, host.uid());
    }

    /**
     * The container state directory: {@link StateStore#defaultRoot()} for root; for anybody else
     * the same directory as {@link #forCurrentUser()} ({@code $XDG_RUNTIME_DIR/isola}, as the
     * store's default, or the per-user fallback when XDG_RUNTIME_DIR is not set, as under
     * {@code su} or {@code runuser}). Bundle caches there are no containers to the store.
     */
    public static Path state() {
        return HostIdentity.current().isHostRoot() ? StateStore.defaultRoot() : forCurrentUser();
    }

    public static Path ownDirectory(Path dir, long uid) {
        return OwnedPaths.privateDirectory(dir, "runtime directory", uid);
    }
}
