package io.isola.ns.mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;

/**
 * What backs one mount of the container's tree, so that the host can look paths up in it before
 * the container exists: a host directory or file (the root file system, a volume), a file system
 * whose content isolator lays out itself ({@code /dev}, the sandbox's root), or a fresh one that
 * is empty or whose content the host cannot know in advance (tmpfs, proc, sysfs).
 */
interface Backing {

    /** The entry at {@code relative} (components below the mount point, none being "." or ".."). */
    Entry lookup(List<String> relative);

    /** Whether missing directories may be created below this mount (false for proc and sysfs). */
    default boolean creatable() {
        return true;
    }

    /** A host directory or file, read without following the last component's symbolic link. */
    static Backing host(Path root) {
        return relative -> {
            Path path = root;
            for (String component : relative) {
                path = path.resolve(component);
            }
            try {
                BasicFileAttributes attributes =
                        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attributes.isSymbolicLink()) {
                    return new Entry.Link(Files.readSymbolicLink(path).toString());
                }
                return attributes.isDirectory() ? Entry.DIRECTORY : Entry.FILE;
            } catch (NoSuchFileException e) {
                return Entry.MISSING;
            } catch (FileSystemException e) {
                // ENOTDIR: a component below a file; the resolver reports the file itself
                return Entry.MISSING;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** A file system this isolator fills itself: {@code top} lists its top-level entries. */
    static Backing laidOut(Map<String, Entry> top) {
        return relative -> {
            if (relative.isEmpty()) {
                return Entry.DIRECTORY;
            }
            Entry entry = top.getOrDefault(relative.get(0), Entry.MISSING);
            return relative.size() == 1 || entry == Entry.MISSING ? entry : Entry.MISSING;
        };
    }

    /** An empty file system of the container's own (tmpfs). */
    static Backing empty() {
        return relative -> relative.isEmpty() ? Entry.DIRECTORY : Entry.MISSING;
    }

    /** A kernel file system (proc, sysfs): its content is not the host's to know, and nothing may be created in it. */
    static Backing kernel() {
        return new Backing() {
            @Override
            public Entry lookup(List<String> relative) {
                return relative.isEmpty() ? Entry.DIRECTORY : Entry.MISSING;
            }

            @Override
            public boolean creatable() {
                return false;
            }
        };
    }
}
