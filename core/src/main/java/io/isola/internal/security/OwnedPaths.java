package io.isola.internal.security;

import io.isola.api.IsolaException;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.UserNamespaceView;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The checks isola makes before it trusts a directory on the host: its own state (private, the
 * caller's, never through a link) and what it loads (configuration and plugins: only the caller
 * or root may be able to change them). Another user who could plant or swap one of these could
 * make isola, possibly running as root, write where they choose or run their code.
 */
public final class OwnedPaths {

    private static final Set<PosixFilePermission> GROUP_OR_OTHER_WRITE =
            Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    /** S_ISVTX. */
    private static final int STICKY = 01000;

    private OwnedPaths() {}

    /** {@link #privateDirectory(Path, String, long)} for the calling process's effective uid. */
    public static Path privateDirectory(Path dir, String what) {
        return privateDirectory(dir, what, HostIdentity.current().uid());
    }

    /**
     * Makes {@code dir} (mode 0700) if it does not exist, else requires a directory, not a link,
     * owned by {@code uid} and writable by nobody else. Parents are made as the umask says.
     */
    public static Path privateDirectory(Path dir, String what, long uid) {
        try {
            requireSafeAncestors(dir, what, uid);
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (dir.getParent() != null) {
                    Files.createDirectories(dir.getParent());
                }
                try {
                    Files.createDirectory(
                            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException raced) {
                    // another isola made it meanwhile: checked below like any existing one
                }
            }
            PosixFileAttributes attributes =
                    Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                throw new IsolaException(
                        what + " " + dir + " is a symbolic link; isola does not follow links for its own state: "
                                + "remove it, or give the real directory");
            }
            if (!attributes.isDirectory()) {
                throw new IsolaException(what + " " + dir + " is not a directory");
            }
            long owner = owner(dir);
            if (owner != uid) {
                throw new IsolaException(what + " " + dir + " belongs to uid " + owner + ", not to you (uid " + uid
                        + "); remove it or give a directory of your own");
            }
            // Not narrowed to 0700 when it exists: /run/isola also holds ns-mount's sandbox mount
            // point, which user-namespaced children must be able to pass through. Writable by
            // others it may not be: they could plant a container's directory or a link in it.
            if (attributes.permissions().stream().anyMatch(GROUP_OR_OTHER_WRITE::contains)) {
                throw new IsolaException(what + " " + dir + " is writable by others (mode "
                        + PosixFilePermissions.toString(attributes.permissions())
                        + "); chmod go-w it, or give another directory");
            }
            return dir;
        } catch (IOException e) {
            throw new IsolaException("cannot prepare the " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Requires that nobody but {@code uid} and root can replace {@code dir} or a directory above it:
     * each one there (as given, and after its links) belongs to one of them and is writable by
     * nobody else, unless sticky (/tmp: others may not rename what is not theirs). Another user who
     * could rename a directory above the state could swap the checked directory for one of their
     * own between the check and a read, with a state naming any process for kill to signal.
     */
    private static void requireSafeAncestors(Path dir, String what, long uid) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        for (Path above = absolute.getParent(); above != null; above = above.getParent()) {
            requireSafeAncestor(above, dir, what, uid);
        }
        Path parent = absolute.getParent();
        if (parent != null && Files.exists(parent)) {
            for (Path above = parent.toRealPath(); above != null; above = above.getParent()) {
                requireSafeAncestor(above, dir, what, uid);
            }
        }
    }

    private static void requireSafeAncestor(Path above, Path dir, String what, long uid) throws IOException {
        if (!Files.exists(above, LinkOption.NOFOLLOW_LINKS)) {
            return; // made below, as the umask says, by the caller
        }
        PosixFileAttributes attributes =
                Files.readAttributes(above, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        long owner = owner(above);
        if (owner != uid && owner != 0 && !UserNamespaceView.current().showsAsHostRoot(owner)) {
            throw new IsolaException(what + " " + dir + ": " + above + " above it belongs to uid " + owner
                    + ", who could replace it; give a directory whose parents are yours (uid " + uid + ") or root's");
        }
        int mode = ((Number) Files.getAttribute(above, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
        boolean sticky = (mode & STICKY) != 0;
        if (!attributes.isSymbolicLink()
                && !sticky
                && attributes.permissions().stream().anyMatch(GROUP_OR_OTHER_WRITE::contains)) {
            throw new IsolaException(what + " " + dir + ": " + above + " above it is writable by others (mode "
                    + PosixFilePermissions.toString(attributes.permissions())
                    + ") and not sticky, so they could replace it; give a directory whose parents only you or root"
                    + " can change");
        }
    }

    /** {@link #trustedDirectory(Path, String, long)} for the calling process's effective uid. */
    public static Path trustedDirectory(Path dir, String what) {
        return trustedDirectory(dir, what, HostIdentity.current().uid());
    }

    /**
     * Requires that only {@code uid} or root can change what {@code dir} holds: a link to it must
     * itself belong to one of them, and the directory (after the link) must belong to one of them
     * and not be writable by group or others. Returns {@code dir}; a missing one is left to the caller.
     */
    public static Path trustedDirectory(Path dir, String what, long uid) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                return dir;
            }
            if (Files.isSymbolicLink(dir)) {
                long linkOwner = owner(dir);
                if (linkOwner != uid && !UserNamespaceView.current().showsAsHostRoot(linkOwner)) {
                    throw new IsolaException(what + " " + dir + " is a symbolic link that belongs to uid " + linkOwner
                            + "; only links of yours or root's are followed");
                }
            }
            if (!Files.exists(dir)) {
                return dir;
            }
            long owner = ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
            // in a rootless engine's user namespace the host's root owns the installation and shows as the overflow uid
            if (owner != uid && !UserNamespaceView.current().showsAsHostRoot(owner)) {
                throw new IsolaException(what + " " + dir + " belongs to uid " + owner
                        + "; isola loads only what you (uid " + uid + ") or root own");
            }
            if (permissions.stream().anyMatch(GROUP_OR_OTHER_WRITE::contains)) {
                throw new IsolaException(what + " " + dir + " is writable by "
                        + (permissions.contains(PosixFilePermission.OTHERS_WRITE) ? "everybody" : "its group")
                        + " (mode " + PosixFilePermissions.toString(permissions)
                        + "); anyone who can write there chooses what isola loads: chmod go-w it");
            }
            return dir;
        } catch (IOException e) {
            throw new IsolaException("cannot check the " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long owner(Path path) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }
}
