package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root directory's placeholders when the container outlives the process that planned it (an OCI
 * create planned by the resident server): the process lets go of the directory's lock, as its exit
 * would, without removing what the container mounts on.
 */
class RootfsPlaceholdersTest {

    @TempDir
    Path rootfs;

    @Test
    void aHandedOverUseKeepsNoDescriptorAndRemovesNothing() throws IOException {
        Path hosts = Files.createDirectories(rootfs.resolve("etc")).resolve("hosts");
        // what the JVM opens once and keeps (the lock directory's file system, a digest's provider)
        RootfsPlaceholders.use(Files.createDirectories(rootfs.resolve("other")).toRealPath())
                .release();
        long before = openFds();
        RootfsPlaceholders use = RootfsPlaceholders.use(rootfs.toRealPath());
        use.willCreate(List.of(List.of("etc", "hosts")));
        Files.createFile(hosts); // what the child creates to mount the network's hosts file on
        assertEquals(before + 1, openFds(), "the directory's lock is held while the container is planned");

        use.forget();
        assertEquals(before, openFds(), "a handed-over container's lock is not kept by the planner");
        assertTrue(Files.exists(hosts), "the running container's mount point stays");

        use.release(); // the create failed after all: the last user removes what was recorded
        assertFalse(Files.exists(hosts), "a failed create leaves the directory as it found it");
        assertEquals(before, openFds());
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
