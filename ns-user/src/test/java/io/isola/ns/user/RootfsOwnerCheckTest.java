package io.isola.ns.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Filesystem;
import io.isola.api.IdMapping;
import io.isola.spi.support.HostIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsOwnerCheckTest {

    private static final MapPlan PLAN = new MapPlan(
            List.of(new IdMapping(0, 3000000, 65536)),
            List.of(new IdMapping(0, 3000000, 65536)),
            MapPlan.Writer.DIRECT);

    @Test
    void aRootfsOfAnUnmappedOwnerIsNamedWithTheFix(@TempDir Path rootfs) throws Exception {
        assumeTrue(HostIdentity.current().isRoot(), "the directory must belong to host root");
        Filesystem filesystem = Filesystem.builder().rootfs(rootfs.toString()).build();
        assertEquals(
                "root file system " + rootfs + " belongs to host uid 0, which the user namespace does not map: inside, "
                        + "its files belong to nobody (65534) and root cannot change them; give the container a copy owned by the "
                        + "mapped range (chown -R 3000000:3000000 on a copy)",
                RootfsOwnerCheck.warning(filesystem, PLAN));
        Files.setAttribute(rootfs, "unix:uid", 3000000);
        assertNull(RootfsOwnerCheck.warning(filesystem, PLAN));
        assertNull(RootfsOwnerCheck.warning(null, PLAN));
    }
}
