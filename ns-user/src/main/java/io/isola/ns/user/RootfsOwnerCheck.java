package io.isola.ns.user;

import io.isola.api.Filesystem;
import io.isola.api.UserNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Says, in one line, why a root file system directory will disappoint inside a user namespace: a
 * directory owned by a host id that the maps do not cover (host root, typically) shows as nobody
 * (65534) inside, and root inside cannot write it. isola leaves a directory the user gave as is
 * (so does podman without {@code :idmap}); the warning names the fix.
 */
final class RootfsOwnerCheck {

    private RootfsOwnerCheck() {}

    /** The warning for {@code filesystem}'s root directory under {@code plan}, or null when there is nothing to say. */
    static String warning(Filesystem filesystem, MapPlan plan) {
        if (filesystem == null || filesystem.rootfs().isEmpty()) {
            return null;
        }
        Path rootfs = Path.of(filesystem.rootfs().get());
        long owner;
        try {
            owner = Integer.toUnsignedLong((Integer) Files.getAttribute(rootfs, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return null; // the filesystem isolator reports a missing directory
        }
        boolean mapped = plan.uids().stream().anyMatch(m -> owner >= m.hostId() && owner - m.hostId() < m.length());
        if (mapped) {
            return null;
        }
        long hostRoot = UserNamespace.find(plan.uids(), 0).map(m -> m.toHost(0)).orElse(-1L);
        return "root file system " + rootfs + " belongs to host uid " + owner
                + ", which the user namespace does not map: "
                + "inside, its files belong to nobody (65534) and root cannot change them; give the container a copy owned "
                + "by the mapped range (chown -R " + hostRoot + ":" + hostRoot + " on a copy)";
    }
}
