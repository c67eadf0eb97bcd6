package io.isola.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.IdMapping;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume shifted into a container's ids holds what an image or a container put there: a link to
 * a host file must move the link's owner, never the host file's.
 */
class ContainerTreesShiftTest {

    private static final long BASE = 300000;

    @TempDir
    Path tmp;

    @Test
    void aPlantedLinkIsShiftedItselfAndItsHostTargetKeepsItsOwner() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root (chown)");
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

    private static long owner(Path path) throws Exception {
        return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }
}
