package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volumes share files both ways; their targets resolve inside the container, never on the host. */
class VolumeTest {

    private static Isola isola;

    @TempDir
    Path tmp;

    private Path rootfs;
    private Path volume;
    /** A host directory that no container may write into. */
    private Path outside;

    @BeforeAll
    static void runtime() {
        isola = Containers.runtime();
    }

    @AfterAll
    static void close() {
        isola.close();
    }

    @BeforeEach
    void image() throws Exception {
        rootfs = Busybox.rootfs(tmp.resolve("rootfs"));
        volume = Files.createDirectories(tmp.resolve("volume"));
        outside = Files.createDirectories(tmp.resolve("outside"));
    }

    private Filesystem.Builder fs() {
        return Filesystem.builder().rootfs(rootfs.toString());
    }

    @Test
    void aVolumeSharesFilesBothWays() throws Exception {
        Files.writeString(volume.resolve("from-host"), "host\n");

        Outcome outcome = Containers.sh(
                isola,
                fs().volume(Volume.parse(volume + ":/data")).build(),
                "cat /data/from-host && echo container > /data/from-container");

        assertEquals("host\n", outcome.out(), outcome.err());
        assertEquals("container\n", Files.readString(volume.resolve("from-container")));
        assertTrue(Files.isDirectory(rootfs.resolve("data")), "the missing target was created");
    }

    @Test
    void aReadOnlyVolumeRefusesWrites() throws Exception {
        Files.writeString(volume.resolve("file"), "host\n");

        Outcome outcome = Containers.sh(
                isola,
                fs().volume(Volume.parse(volume + ":/data:ro")).build(),
                "cat /data/file; echo changed > /data/file; touch /data/new");

        assertEquals("host\n", outcome.out());
        assertTrue(outcome.err().contains("Read-only file system"), outcome.err());
        assertEquals("host\n", Files.readString(volume.resolve("file")));
        assertFalse(Files.exists(volume.resolve("new")));
    }

    @Test
    void aFileVolumeAndNestedTargetsAreCreated() throws Exception {
        Path file = Files.writeString(tmp.resolve("config"), "setting\n");

        Outcome outcome = Containers.sh(
                isola,
                fs().volume(Volume.parse(file + ":/etc/deep/config"))
                        .volume(Volume.parse(volume + ":/a/b/c"))
                        .build(),
                "cat /etc/deep/config; echo x > /a/b/c/y");

        assertEquals("setting\n", outcome.out(), outcome.err());
        assertTrue(Files.isRegularFile(rootfs.resolve("etc/deep/config")));
        assertEquals("x\n", Files.readString(volume.resolve("y")));
    }

    @Test
    void linksPlantedInTheImageResolveInsideIt() throws Exception {
        Files.createSymbolicLink(rootfs.resolve("absolute"), outside);
        Files.createSymbolicLink(rootfs.resolve("relative"), Path.of("../".repeat(20) + outside));

        Outcome outcome = Containers.sh(
                isola,
                fs().volume(Volume.parse(volume + ":/absolute/a"))
                        .volume(Volume.parse(volume + ":/relative/b"))
                        .volume(Volume.parse(volume + ":/../../../../" + outside + "/c"))
                        .build(),
                "ls " + outside);

        assertEquals("a\nb\nc\n", outcome.out(), outcome.err());
        assertEmpty(outside);
        assertTrue(Files.isDirectory(
                rootfs.resolve(outside.toString().substring(1)).resolve("a")));
    }

    @Test
    void linksInAVolumeResolveInsideTheContainer() throws Exception {
        Files.createSymbolicLink(volume.resolve("link"), outside);
        Path second = Files.createDirectories(tmp.resolve("second"));

        Outcome outcome = Containers.sh(
                isola,
                fs().volume(Volume.parse(volume + ":/v"))
                        .volume(Volume.parse(second + ":/v/link/x"))
                        .tmpfs(TmpfsMount.at("/v/link/t"))
                        .build(),
                "ls " + outside);

        assertEquals("t\nx\n", outcome.out(), outcome.err());
        assertEmpty(outside);
    }

    @Test
    void aMissingSourceOrRootIsRefusedBeforeAnythingStarts() throws Exception {
        Set<String> mounts = HostMounts.snapshot();
        Path missing = tmp.resolve("missing");

        IllegalArgumentException noSource = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(spec(fs().volume(Volume.parse(volume + ":/new"))
                        .volume(Volume.parse(missing + ":/data"))
                        .build())));
        IllegalArgumentException noRoot = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(
                        spec(Filesystem.builder().rootfs(missing.toString()).build())));

        assertEquals("volume source \"" + missing + "\": no such file or directory on the host", noSource.getMessage());
        assertEquals("root file system \"" + missing + "\": no such directory", noRoot.getMessage());
        assertFalse(Files.exists(rootfs.resolve("new")), "a target was created for a container that never started");
        assertEquals(Set.of(), Set.copyOf(HostMounts.added(mounts, HostMounts.snapshot())));
    }

    @Test
    void targetsInProcOrSysAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> isola.start(spec(fs().volume(Volume.parse(volume + ":/proc/self/root/etc"))
                        .build())));

        assertTrue(
                e.getMessage().startsWith("volume target \"/proc/self/root/etc\": inside a kernel file system"),
                e.getMessage());
        // the host's /sys onto /sys is a volume still, and refused: only OCI's read-only bind of it is isola's own /sys
        for (String target : List.of("/sys", "/proc", "/sys/kernel")) {
            IllegalArgumentException on = assertThrows(
                    IllegalArgumentException.class,
                    () -> isola.start(
                            spec(fs().volume(Volume.parse("/sys:" + target)).build())));
            assertTrue(
                    on.getMessage().startsWith("volume target \"" + target + "\": inside a kernel file system"),
                    on.getMessage());
        }
    }

    private static ContainerSpec spec(Filesystem filesystem) {
        return ContainerSpec.builder("/bin/true").with(filesystem).build();
    }

    private static void assertEmpty(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "a container wrote into " + dir + " on the host");
        }
    }
}
