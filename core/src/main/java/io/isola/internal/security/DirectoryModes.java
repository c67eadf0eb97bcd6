package io.isola.internal.security;

import io.isola.api.IsolaException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Modes of the directories that hold container and image files (the image store, a container's
 * writable layer): set explicitly when they are made, whatever the umask, and narrowed when an
 * older isola (or a umask of 000) left them open. A setuid-root file that a container leaves in
 * its layer is a root shell for any host user who can reach it, so these trees are their
 * owner's only, as Docker keeps /var/lib/docker (0710, 0711 under userns-remap).
 */
public final class DirectoryModes {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryModes.class);

    private DirectoryModes() {}

    /**
     * Makes {@code dir} with exactly {@code mode} if it is missing (its parent must exist), or
     * narrows an existing one to no more than {@code mode}; refuses a link or a non-directory.
     */
    public static Path ensure(Path dir, int mode, String what) {
        boolean made = false;
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(dir);
                    made = true;
                } catch (FileAlreadyExistsException raced) {
                    // another isola made it meanwhile: narrowed below like any existing one
                }
            }
            narrow(dir, mode, what, made);
            return dir;
        } catch (IOException e) {
            throw new IsolaException("cannot prepare the " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Narrows {@code dir} to no more than {@code mode} if it exists; returns whether it exists. */
    public static boolean narrowIfPresent(Path dir, int mode, String what) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            narrow(dir, mode, what, false);
            return true;
        } catch (IOException e) {
            throw new IsolaException("cannot check the " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void narrow(Path dir, int mode, String what, boolean made) throws IOException {
        PosixFileAttributes attributes =
                Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            throw new IsolaException(what + " " + dir + " is a symbolic link; isola keeps container and image files"
                    + " only in real directories: remove it, or give the real directory");
        }
        if (!attributes.isDirectory()) {
            throw new IsolaException(what + " " + dir + " is not a directory");
        }
        int current = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        int wanted = made ? mode : current & mode;
        if (wanted == current) {
            return;
        }
        Files.setAttribute(dir, "unix:mode", wanted, LinkOption.NOFOLLOW_LINKS);
        if (made) {
            LOG.debug("made the {} {} with mode {}", what, dir, Integer.toOctalString(wanted));
        } else {
            LOG.info(
                    "narrowed the {} {} from mode {} to {}: other users may not reach container and image files",
                    what,
                    dir,
                    Integer.toOctalString(current),
                    Integer.toOctalString(wanted));
        }
    }
}
