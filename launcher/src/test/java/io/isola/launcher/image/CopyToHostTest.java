package io.isola.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a container hands the host through {@code isola cp CONTAINER:PATH HOSTPATH}: its files
 * become the caller's (root's, run by root), so a setuid bit the container chose would make a
 * setuid-root program of the container's on the host. Without {@code -a} the bits go, as cp(1)
 * drops them when it does not keep owners; with {@code -a} owners and bits are the archive's.
 */
class CopyToHostTest {

    @TempDir
    Path tmp;

    @Test
    void aCopyToTheHostDropsSetuidAndSetgidBitsUnlessItKeepsOwners() throws Exception {
        byte[] tar = HostileLayerTest.tar(
                HostileLayerTest.dir("out", 02755),
                HostileLayerTest.file("out/su", 06755, "#!/bin/sh\n"),
                HostileLayerTest.file("out/plain", 01755, "x"));
        Path given = Files.createDirectories(tmp.resolve("given"));
        Path kept = Files.createDirectories(tmp.resolve("kept"));

        try (CopyRoot host = CopyRoot.host()) {
            ContainerCopy.fromStream(new ByteArrayInputStream(tar), host, given.toString(), false);
            ContainerCopy.fromStream(new ByteArrayInputStream(tar), host, kept.toString(), true);
        }

        assertEquals(0755, mode(given.resolve("out/su")), "setuid and setgid dropped");
        assertEquals(01755, mode(given.resolve("out/plain")), "the sticky bit is no privilege");
        assertEquals(06755, mode(kept.resolve("out/su")), "-a keeps the archive's owners, and so its bits");
    }

    private static int mode(Path file) throws Exception {
        return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }
}
