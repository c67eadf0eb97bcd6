package io.isola.launcher.image;

import io.isola.internal.nativ.DirectoryFd;
import io.isola.internal.nativ.Errno;
import io.isola.internal.nativ.FdOutputStream;
import io.isola.internal.nativ.Fds;
import io.isola.internal.nativ.FileAttributes;
import io.isola.internal.nativ.FileCallException;
import io.isola.internal.nativ.FileStat;
import io.isola.spi.support.HostIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts one layer's tar into a directory, as overlayfs will read it as a lower layer.
 *
 * <p>Whiteouts become overlayfs's classic form, which every kernel reads: {@code .wh.NAME} a
 * character device 0/0 {@code NAME} (root may make one, any user since Linux 5.8); {@code
 * .wh..wh..opq} marks its directory opaque, {@code user.overlay.opaque=y} where the file system
 * has user xattrs, else (tmpfs before Linux 6.6) {@code trusted.overlay.opaque=y}, which only root
 * may write and only root's mount without a user namespace reads ({@link LayerMarks}). The layer
 * is an attacker's until proven otherwise: every entry is written relative to descriptors of the
 * layer's own directories ({@link DirectoryFd}), an absolute name or one with {@code ..} is
 * refused, so is an entry below a symbolic link (a link is written, never followed), and modes,
 * owners and times are set through the descriptor of the file they belong to: a directory that a
 * later entry replaced by a link is skipped, not reached through it. Ownership (when root
 * imports), modes (with setuid bits) and times are kept; a device node is refused and a fifo is
 * skipped (the container's /dev is its own anyway). PAX headers and long names are bounded
 * ({@link BoundedTarInputStream}).
 */
final class LayerExtractor {

    private static final Logger LOG = LoggerFactory.getLogger(LayerExtractor.class);
    /** The OCI layer format's whiteout names, which {@link ContainerFiles} writes too. */
    static final String WHITEOUT_PREFIX = ".wh.", OPAQUE_MARKER = ".wh..wh..opq";
    /** Root keeps the tar's owners; any other user (rootless) cannot give files away, and keeps them: its uid is root inside. */
    private static final boolean ROOT = HostIdentity.current().isRoot();

    private final DirectoryFd root;
    /** "layer DIGEST" or "copy into container ID", for messages. */
    private final String source;

    private final CopyRules copy; // null for an image layer
    private final List<String> directories = new ArrayList<>();
    private final List<TarArchiveEntry> directoryEntries = new ArrayList<>();

    private LayerExtractor(DirectoryFd root, String source, CopyRules copy) {
        this.root = root;
        this.source = source;
        this.copy = copy;
    }

    /**
     * How {@code isola cp} differs from a layer: no whiteouts (a {@code .wh.} name is a file like
     * any other), the tar's top name may be renamed (a copy to a new name), owners are {@code
     * owner}'s unless null ({@code -a} keeps the archive's), and a directory is never replaced
     * by a file, as docker cp refuses to. {@code dropSetIds}: regular files lose their setuid and
     * setgid bits (a copy to the host without {@code -a}: the files become the caller's, and a bit
     * the container chose would make a setuid program of the caller's; cp(1) drops them too).
     */
    record CopyRules(String topFrom, String topTo, int[] owner, boolean dropSetIds) {
        /** {@code name} with its top {@code topFrom} ("." for an archive of a directory's contents) as {@code topTo}. */
        String rename(String name) {
            if (topFrom == null) {
                return name;
            }
            String bare = name.equals(".") || name.equals("./") ? "" : name.startsWith("./") ? name.substring(2) : name;
            String rest;
            if (topFrom.equals(".")) {
                rest = bare;
            } else if (bare.equals(topFrom) || bare.equals(topFrom + "/")) {
                rest = "";
            } else if (bare.startsWith(topFrom + "/")) {
                rest = bare.substring(topFrom.length() + 1);
            } else {
                return bare; // not below the top: confined like any other name
            }
            if (topTo.equals(".")) {
                return rest;
            }
            return rest.isEmpty() ? topTo : topTo + "/" + rest;
        }
    }

    /** Extracts {@code tar} (uncompressed) into {@code root}, which must exist and be empty; returns the bytes written. */
    static long extract(InputStream tar, Path root, String layerName) throws IOException {
        try (DirectoryFd dir = DirectoryFd.open(root)) {
            return extract(tar, new LayerExtractor(dir, "layer " + layerName, null));
        }
    }

    /** Extracts a copy's {@code tar} into {@code dir} (open, not closed) by {@code rules}; {@code source} names it in messages. */
    static long copy(InputStream tar, DirectoryFd dir, String source, CopyRules rules) throws IOException {
        return extract(tar, new LayerExtractor(dir, source, rules));
    }

    private static long extract(InputStream tar, LayerExtractor extractor) throws IOException {
        long bytes = 0;
        TarArchiveInputStream in = new BoundedTarInputStream(tar);
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
            bytes += extractor.write(entry, in);
        }
        extractor.finish();
        return bytes;
    }

    private long write(TarArchiveEntry entry, InputStream content) throws IOException {
        List<String> components = confined(copy == null ? entry.getName() : copy.rename(entry.getName()));
        if (components.isEmpty()) {
            return 0; // "./": the layer's root, which exists
        }
        // before anything of it is made: the entry, and each directory on its way if it is missing
        FreeSpace.requireFiles(root, components.size(), source, entry.getName());
        String file = components.get(components.size() - 1);
        String parentPath = String.join("/", components.subList(0, components.size() - 1));
        try (DirectoryFd parent = parent(parentPath, entry.getName())) {
            if (copy != null) {
                refuseReplacingADirectory(parent, file, entry);
            } else if (file.equals(OPAQUE_MARKER)) {
                opaque(parent, entry);
                return 0;
            }
            if (copy == null && file.startsWith(WHITEOUT_PREFIX)) {
                whiteout(parent, hiddenName(entry, file), entry);
                return 0;
            }
            if (entry.isDirectory()) {
                if (!parent.stat(file).map(FileStat::isDirectory).orElse(false)) {
                    parent.remove(file);
                    parent.makeDirectory(file, 0700); // its own mode once its content is written
                }
                directories.add(String.join("/", components));
                directoryEntries.add(entry);
                return 0;
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice()) {
                // a layer is unpacked on the host: a device node in it would open host devices to anyone
                // who can reach the store, and the container's /dev is its own anyway
                throw new IOException(source + ": entry \"" + entry.getName() + "\" is a "
                        + (entry.isBlockDevice() ? "block" : "character") + " device; "
                        + (copy == null
                                ? "image layers may not hold device nodes"
                                : "isola cp copies no device nodes"));
            }
            if (entry.isSymbolicLink()) {
                parent.remove(file);
                parent.symlink(entry.getLinkName(), file);
                int[] owner = owner(entry);
                if (owner != null) {
                    parent.chown(file, owner[0], owner[1]);
                }
                parent.setTimes(file, entry.getLastModifiedDate().getTime() / 1000, 0);
                return 0;
            }
            if (entry.isLink()) {
                parent.remove(file);
                hardLink(entry, parent, file);
                return 0;
            }
            if (!BoundedTarInputStream.isRegularFile(entry)) {
                LOG.debug("{}: skipping {} (a fifo or an unknown tar type)", source, entry.getName());
                return 0;
            }
            parent.remove(file);
            return regularFile(entry, content, parent, file);
        } catch (FileCallException e) {
            throw new IOException(source + ": entry \"" + entry.getName() + "\": " + e.getMessage(), e);
        }
    }

    private void refuseReplacingADirectory(DirectoryFd parent, String file, TarArchiveEntry entry) throws IOException {
        Optional<FileStat> there = parent.stat(file);
        if (there.isPresent() && there.get().isDirectory() != entry.isDirectory()) {
            throw new IOException(
                    source + ": cannot overwrite " + (entry.isDirectory() ? "the non-directory " : "the directory ")
                            + file + " with " + (entry.isDirectory() ? "a directory" : "a non-directory"));
        }
    }

    /** The owner to give a file: the archive's when root keeps owners, the copy's own, or none (not root). */
    private int[] owner(TarArchiveEntry entry) {
        if (copy != null && copy.owner() != null) {
            return copy.owner();
        }
        return ROOT ? new int[] {(int) entry.getLongUserId(), (int) entry.getLongGroupId()} : null;
    }

    private long regularFile(TarArchiveEntry entry, InputStream content, DirectoryFd parent, String file)
            throws IOException {
        // for a sparse entry the header's size is the data the archive holds; its holes take no space
        FreeSpace.require(parent, entry.getSize(), source, entry.getName());
        int fd = parent.createFile(file, 0600);
        try {
            long size = entry.isSparse() ? SparseFile.write(entry, content, fd) : plain(content, fd);
            attributes(fd, entry, owner(entry), copy != null && copy.dropSetIds() ? 01777 : 07777);
            return size;
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    private static long plain(InputStream content, int fd) throws IOException {
        try (FdOutputStream out = new FdOutputStream(Fds.dupCloexec(fd))) {
            return content.transferTo(out);
        }
    }

    private void whiteout(DirectoryFd parent, String hidden, TarArchiveEntry entry) throws IOException {
        parent.remove(hidden);
        try {
            parent.whiteout(hidden);
        } catch (FileCallException e) {
            if (e.errno() == Errno.EPERM) {
                throw new IOException(
                        source + ": whiteout \"" + entry.getName() + "\": " + e.getMessage()
                                + "; overlayfs whiteouts are character devices 0/0, which users other than root may make from"
                                + " Linux 5.8 on, this is " + System.getProperty("os.version"),
                        e);
            }
            throw e;
        }
    }

    /** The user mark where the file system takes user xattrs; else root's trusted one, and other users are refused. */
    private void opaque(DirectoryFd dir, TarArchiveEntry entry) throws IOException {
        try {
            FileAttributes.setXattr(dir.fd(), LayerMarks.USER_OPAQUE, "y");
            return;
        } catch (FileCallException e) {
            if (e.errno() != Errno.ENOTSUP) {
                throw e;
            }
        }
        if (!ROOT) {
            throw new IOException(source + ": opaque directory \"" + entry.getName() + "\": the file system of "
                    + dir.path()
                    + " takes no user xattrs, which overlayfs reads opaque directories from for a user other"
                    + " than root (" + LayerMarks.USER_OPAQUE + "; tmpfs has them from Linux 6.6): keep the image store"
                    + " (ISOLA_ROOT) on a file system that has them, such as ext4, xfs or btrfs");
        }
        FileAttributes.setXattr(dir.fd(), LayerMarks.TRUSTED_OPAQUE, "y");
    }

    private String hiddenName(TarArchiveEntry entry, String file) throws IOException {
        String hidden = file.substring(WHITEOUT_PREFIX.length());
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
            throw new IOException(source + ": whiteout \"" + entry.getName() + "\" names no file");
        }
        return hidden;
    }

    private void hardLink(TarArchiveEntry entry, DirectoryFd parent, String file) throws IOException {
        List<String> target;
        try {
            target = confined(copy == null ? entry.getLinkName() : copy.rename(entry.getLinkName()));
        } catch (IOException e) {
            target = List.of();
        }
        String refusal = source + ": hard link \"" + entry.getName() + "\" to \"" + entry.getLinkName() + "\"";
        if (target.isEmpty()) {
            throw new IOException(refusal + " leaves the " + (copy == null ? "layer" : "archive"));
        }
        String targetParent = String.join("/", target.subList(0, target.size() - 1));
        String targetName = target.get(target.size() - 1);
        try (DirectoryFd from = root.directory(targetParent)) {
            if (!from.stat(targetName).map(FileStat::isRegularFile).orElse(false)) {
                throw new IOException(refusal + ", which is not a file earlier in the layer");
            }
            parent.hardLink(from, targetName, file);
        } catch (FileCallException e) {
            throw new IOException(
                    refusal + " goes through a symbolic link or a missing directory (" + e.getMessage() + ")", e);
        }
    }

    /** Modes and times of directories, deepest first, once their content is written; through their own descriptors. */
    private void finish() throws IOException {
        for (int i = directories.size() - 1; i >= 0; i--) {
            String relative = directories.get(i);
            DirectoryFd dir;
            try {
                dir = root.directory(relative);
            } catch (FileCallException e) {
                if (e.errno() == Errno.ELOOP || e.errno() == Errno.ENOTDIR || e.errno() == Errno.ENOENT) {
                    LOG.debug("{}: directory {} was replaced later in the archive", source, relative);
                    continue;
                }
                throw new IOException(source + ": directory \"" + relative + "\": " + e.getMessage(), e);
            }
            try (dir) {
                attributes(dir.fd(), directoryEntries.get(i), owner(directoryEntries.get(i)), 07777);
            }
        }
    }

    /** Owner first: chown clears setuid and setgid bits, which the mode then sets. */
    private static void attributes(int fd, TarArchiveEntry entry, int[] owner, int modeBits) throws FileCallException {
        if (owner != null) {
            FileAttributes.chown(fd, owner[0], owner[1]);
        }
        FileAttributes.chmod(fd, entry.getMode() & modeBits);
        long millis = entry.getLastModifiedDate().getTime();
        FileAttributes.setTimes(fd, Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000);
    }

    /** The directory of an entry, made if missing; refused when the way goes through a link or a file. */
    private DirectoryFd parent(String relative, String name) throws IOException {
        try {
            return root.directories(relative);
        } catch (FileCallException e) {
            if (e.errno() == Errno.ELOOP || e.errno() == Errno.ENOTDIR || e.errno() == Errno.EXDEV) {
                throw new IOException(
                        source + ": entry \"" + name + "\" goes through a symbolic link"
                                + " or a file; entries are written inside the "
                                + (copy == null ? "layer" : "destination") + " only",
                        e);
            }
            throw new IOException(source + ": entry \"" + name + "\": " + e.getMessage(), e);
        }
    }

    /** The entry's path components in the layer; refuses names that leave it. */
    private List<String> confined(String name) throws IOException {
        try {
            return DirectoryFd.components(name);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": entry \"" + name + "\" points outside the "
                    + (copy == null ? "layer" : "destination") + " (absolute names and \"..\" are not allowed)");
        }
    }
}
