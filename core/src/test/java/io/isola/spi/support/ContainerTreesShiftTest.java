package io.isola.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import io.isola.api.IdMapping;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shift of a container's copy or a volume into a container's ids, on the host: owners, links,
 * hard links, set-id bits. A volume holds what an image or a container put there: a link to a
 * host file must move the link's owner, never the host file's.
 */
class ContainerTreesShiftTest {

    private static final long BASE = 300000;

    @TempDir
    Path tmp;

    @Test
    void aPlantedLinkIsShiftedItselfAndItsHostTargetKeepsItsOwner() throws Exception {
        assumeTrue(new UnixSystem().getUid() == 0, "needs root (chown)");
        Path host = Files.writeString(tmp.resolve("host-secret"), "root's\n");
        Path volume = Files.createDirectory(tmp.resolve("volume"));
        Files.writeString(volume.resolve("data"), "x\n");
        Files.createSymbolicLink(volume.resolve("planted"), host);
        IdMaps maps = new IdMaps(List.of(new IdMapping(0, BASE, 65536)), List.of(new IdMapping(0, BASE, 65536)));

        ContainerTrees.shiftOwners(volume, maps);

        assertEquals(0, owner(host), "the link's target, a host file, is not the volume's");
        assertEquals(BASE, owner(volume.resolve("planted")));
        assertEquals(BASE, owner(volume.resolve("data")));
        assertEquals(BASE, owner(volume));
    }

    @Test
    void eachEntryMovesOnceIntoTheMappedRange() throws Exception {
        assumeTrue(new UnixSystem().getUid() == 0, "needs root (chown)");
        Path tree = Files.createDirectory(tmp.resolve("tree"));
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

        ContainerTrees.shiftOwners(tree, maps);

        assertEquals(1000, owner(file));
        assertEquals(5000, attribute(file, "gid"));
        assertEquals(1000, owner(tree));
        assertEquals(04755, attribute(setuid, "mode") & 07777, "set-id bits survive the chown");
        assertEquals(1000, owner(link), "the link itself");
        assertEquals(0, owner(Path.of("/etc/hostname")), "never its target");
        assertEquals(2000, owner(other));
        assertEquals(70000, owner(unmapped), "ids outside the maps stay");
    }

    private static int attribute(Path path, String name) throws Exception {
        return (Integer) Files.getAttribute(path, "unix:" + name, LinkOption.NOFOLLOW_LINKS);
    }

    private static long owner(Path path) throws Exception {
        return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }
}
