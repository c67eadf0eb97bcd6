package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.Security;
import io.isola.api.Volume;
import io.isola.testing.HostState;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mounts made inside the container stay inside: propagation is private before anything is mounted. */
class MountIsolatorTest {

    @TempDir
    Path dir;

    @Test
    void aMountInsideIsInvisibleOnTheHost() throws Exception {
        String mountsBefore = Files.readString(Path.of("/proc/self/mountinfo"));
        try (Isola isola =
                Isola.builder().isolators(List.of(new MountIsolator())).build()) {
            // the host directory is a volume, so the container's tmpfs goes on the very directory the host sees
            Outcome outcome = Outcome.of(
                    isola,
                    ContainerSpec.builder(
                                    "sh",
                                    "-c",
                                    "mount -t tmpfs none /data && touch"
                                            + " /data/inside && ls /data && grep -c ' /data ' /proc/self/mountinfo; readlink /proc/self/ns/mnt")
                            .with(Filesystem.builder()
                                    .volume(Volume.parse(dir + ":/data"))
                                    .build())
                            // mounting needs CAP_SYS_ADMIN, which the default lock-down drops
                            .with(Security.builder().capAdd("SYS_ADMIN").build())
                            .build());

            assertEquals(0, outcome.status().exitCode(), outcome.err());
            String[] lines = outcome.out().split("\n");
            assertEquals("inside", lines[0]);
            assertEquals("2", lines[1]);
            assertNotEquals(HostState.namespaceOf("mnt"), lines[2]);
        }
        assertEquals(mountsBefore, Files.readString(Path.of("/proc/self/mountinfo")));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the file made on the container's tmpfs reached the host");
        }
    }
}
