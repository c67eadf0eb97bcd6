package io.isola.launcher.image;

import io.isola.api.IsolaException;
import io.isola.internal.nativ.DetachedMount;
import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.FileStat;
import io.isola.internal.nativ.HostProc;
import io.isola.lifecycle.ContainerState;
import io.isola.lifecycle.Lifecycle;
import io.isola.lifecycle.SavedRoot;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.OverlayLayers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One side of {@code isola cp}: the directory its paths are resolved in, and who owns what is
 * copied to it. A container's side is its root as the container sees it, held by a descriptor
 * and never left: a running container's {@code /proc/PID/root} (its volumes too, as Docker's cp
 * sees them); a stopped one's {@code --rootfs}, or its image layers and writable layer mounted
 * as overlayfs nowhere in the host's tree ({@link DetachedMount}), so nothing stays mounted if
 * isola dies. The host's side is "/" itself.
 */
public final class CopyRoot implements AutoCloseable {

    private final DirectoryFd root;
    private final String what;
    private final int[] owner;
    private final boolean host;

    private CopyRoot(DirectoryFd root, String what, int[] owner, boolean host) {
        this.root = root;
        this.what = what;
        this.owner = owner;
        this.host = host;
    }

    /** The host: files copied to it are the caller's, as docker cp makes them. */
    public static CopyRoot host() throws IOException {
        HostIdentity me = HostIdentity.current();
        return new CopyRoot(
                DirectoryFd.openRoot(Path.of("/")), "the host", new int[] {(int) me.uid(), (int) me.gid()}, true);
    }

    /** The container of {@code state}, running or stopped. */
    public static CopyRoot container(ContainerState state) throws IOException {
        SavedRoot saved = state.savedRoot();
        if (saved == null) {
            throw new IsolaException(
                    "container " + state.id() + " has no root file system of its own (it sees the host's"
                            + " files): copy with the host's cp instead");
        }
        if (state.neverStarted() && saved.rootfs() == null) {
            throw new IsolaException(
                    "container " + state.id() + " was created and never started: its writable layer is made"
                            + " when it first starts, so cp into a created container is not supported by isola; 'isola start "
                            + state.id() + "' first");
        }
        DirectoryFd root =
                Lifecycle.isLive(state) && state.process().isAlive() ? running(state) : stopped(state, saved);
        try {
            // the container's root is owned by its root user, whatever user namespace maps it (docker cp makes copies
            // root's)
            FileStat top = root.stat();
            return new CopyRoot(root, "container " + state.id(), new int[] {top.uid(), top.gid()}, false);
        } catch (IOException | RuntimeException e) {
            root.close();
            throw e;
        }
    }

    private static DirectoryFd running(ContainerState state) throws IOException {
        // below the host's procfs handle: a directory or link that a container with a shared bind of
        // the host's /proc mounted on the plain /proc/PID would turn the copy to the host's files
        DirectoryFd root = DirectoryFd.adopt(HostProc.openRoot(state.pid()), "/proc/" + state.pid() + "/root");
        if (!state.process()
                .isAlive()) { // the pid was reused between the check and the open: not this container's root
            root.close();
            throw new IsolaException("container " + state.id() + " stopped while its root was opened: try again");
        }
        return root;
    }

    private static DirectoryFd stopped(ContainerState state, SavedRoot saved) throws IOException {
        if (saved.rootfs() != null) {
            return DirectoryFd.open(Path.of(saved.rootfs()));
        }
        ContainerExport.sources(state.id(), saved); // names a layer that is gone
        Path writable = Path.of(saved.writableLayer());
        Map<String, String> options = new LinkedHashMap<>();
        // the options the container mounted it with (ns-mount's OverlayRoot), so opaque directories read the same
        if (OverlayLayers.userXattrs(writable)) {
            options.put("userxattr", null);
        } else {
            options.put("redirect_dir", "off");
            options.put("index", "off");
            options.put("metacopy", "off");
        }
        options.put("lowerdir", String.join(":", saved.layers()));
        options.put("upperdir", writable.resolve("upper").toString());
        options.put("workdir", writable.resolve("work").toString());
        return DetachedMount.mount("overlay", options, "the root of container " + state.id());
    }

    DirectoryFd root() {
        return root;
    }

    /** "container ID" or "the host", for messages. */
    String what() {
        return what;
    }

    /** Whether this is the host's side, where what is copied without {@code -a} becomes the caller's. */
    boolean isHost() {
        return host;
    }

    /** The owner of what is copied here without {@code -a}. */
    int[] owner() {
        return owner.clone();
    }

    @Override
    public void close() {
        root.close();
    }
}
