package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep of writable layers: what a removal that failed or was killed left in the store's scratch directory. */
class ContainerLayersTest {

    @TempDir
    Path tmp;

    @Test
    void aLayerLeftBeingRemovedByAProcessThatIsGoneIsRemovedByTheNextSweep() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path scratch = Files.createDirectories(tmp.resolve("store/tmp"));
        Path left = Files.createDirectories(scratch.resolve("removing-abc-" + gone.pid() + "/upper/d"));
        Files.writeString(left.resolve("f"), "x");
        Path busy = Files.createDirectories(
                scratch.resolve("removing-def-" + ProcessHandle.current().pid()));
        Path other = Files.createDirectories(scratch.resolve("commit-123"));

        assertEquals(1, new ContainerLayers(new ImageStore(tmp.resolve("store"))).sweep());
        assertFalse(Files.exists(scratch.resolve("removing-abc-" + gone.pid())));
        assertTrue(Files.isDirectory(busy), "its remover still runs");
        assertTrue(Files.isDirectory(other), "not a removal's");
    }
}
