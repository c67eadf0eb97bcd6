package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.IdMapping;
import io.isola.spi.support.HostIdentity;
import io.isola.spi.support.IdMaps;
import io.isola.spi.support.OwnershipShift;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shift of a container's copy, on the host: owners, links, hard links, set-id bits. */
class OwnershipShiftTest {

    @TempDir
    Path tree;

    private static int attribute(Path path, String name) throws Exception {
        return (Integer) Files.getAttribute(path, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void eachEntryMovesOnceIntoTheMappedRange() throws Exception {
        assumeTrue(HostIdentity.current().isRoot(), "only root can give files away");
        Path file = Files.writeString(tree.resolve("file"), "x");
        Path setuid = Files.writeString(tree.resolve("setuid"), "x");
        Files.setAttribute(setuid, "unix:mode", 04755);
        Files.createLink(tree.resolve("hardlink"), file);
        Path link = Files.createSymbolicLink(tree.resolve("link"), Path.of("/etc/hostname"));
        Path other = Files.writeString(tree.resolve("by-1000"), "x");
        Files.setAttribute(other, "unix:uid", 1000);
        Path unmapped = Files.writeString(tree.resolve("by-70000"), "x");
        Files.setAttribute(unmapped, "unix:uid", 70000);
        // a small base: an id shifted twice (through the hard link) would land at 2000
        IdMaps maps = new IdMaps(List.of(new IdMapping(0, 1000, 65536)), List.of(new IdMapping(0, 5000, 65536)));

        OwnershipShift.shift(tree, maps);

        assertEquals(1000, attribute(file, "uid"));
        assertEquals(5000, attribute(file, "gid"));
        assertEquals(1000, attribute(tree, "uid"));
        assertEquals(04755, attribute(setuid, "mode") & 07777, "set-id bits survive the chown");
        assertEquals(1000, attribute(link, "uid"), "the link itself");
        assertEquals(0, attribute(Path.of("/etc/hostname"), "uid"), "never its target");
        assertEquals(2000, attribute(other, "uid"));
        assertEquals(70000, attribute(unmapped, "uid"), "ids outside the maps stay");
    }
}
