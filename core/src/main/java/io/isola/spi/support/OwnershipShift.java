package io.isola.spi.support;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * Gives a container's own copy of a file tree the owners it should have inside a user namespace:
 * a file owned by uid {@code u} (as the image has it, host root for an image unpacked by root)
 * becomes owned by the host uid that container uid {@code u} maps to, so that root inside owns
 * what root owned in the image. Ids the maps do not cover are left alone (they show as the
 * overflow id, 65534, inside).
 *
 * <p>Only for a copy that belongs to one container (its writable layer or a copied root file
 * system), never for a shared image: the change is made in place. Symbolic links are changed
 * themselves, never followed. chown clears the set-user-id and set-group-id bits, so the mode is
 * put back after it. Must run as root on the host: nobody else may give files away.
 */
public final class OwnershipShift {

    private OwnershipShift() {}

    /** Shifts every entry under {@code root}, {@code root} included; returns how many changed. */
    public static long shift(Path root, IdMaps maps) throws IOException {
        long[] changed = {0};
        // a hard link is shifted once: shifted again, an id that lands inside the maps would move twice
        Set<Object> seen = new HashSet<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                changed[0] += shiftOne(dir, maps) ? 1 : 0;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.fileKey() == null || seen.add(attrs.fileKey())) {
                    changed[0] += shiftOne(file, maps) ? 1 : 0;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return changed[0];
    }

    private static boolean shiftOne(Path path, IdMaps maps) throws IOException {
        int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        long hostUid = maps.hostUid(Integer.toUnsignedLong(uid)), hostGid = maps.hostGid(Integer.toUnsignedLong(gid));
        boolean changeUid = hostUid >= 0 && hostUid != Integer.toUnsignedLong(uid);
        boolean changeGid = hostGid >= 0 && hostGid != Integer.toUnsignedLong(gid);
        if (!changeUid && !changeGid) {
            return false;
        }
        boolean link = Files.isSymbolicLink(path);
        int mode = link ? 0 : (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (changeUid) {
            Files.setAttribute(path, "unix:uid", (int) hostUid, LinkOption.NOFOLLOW_LINKS);
        }
        if (changeGid) {
            Files.setAttribute(path, "unix:gid", (int) hostGid, LinkOption.NOFOLLOW_LINKS);
        }
        if (!link && (mode & 06000) != 0) {
            Files.setAttribute(path, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
        }
        return true;
    }
}
