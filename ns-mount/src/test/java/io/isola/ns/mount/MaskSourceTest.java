package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.KernelPaths;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import io.isola.testing.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runc's CVE-2025-31133: a masked file is covered by a bind of the container's /dev/null, so a
 * /dev/null that the container's content decides (a volume on /dev, an image's VOLUME /dev filled
 * from its own /dev) makes the mask a writable bind of whatever it links to, such as
 * /proc/sys/kernel/core_pattern; an empty /dev would leave the files unmasked. The masks come from
 * the runtime's own node, whatever is mounted on /dev afterwards.
 */
class MaskSourceTest {

    private static Isola isola;

    @TempDir
    Path tmp;

    private Path rootfs;
    private List<String> maskedFiles;

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
        maskedFiles = Lockdown.MASKED.stream()
                .filter(p -> p.startsWith("/proc/"))
                .filter(p -> Files.isRegularFile(Path.of(p)))
                .toList();
        assumeTrue(!maskedFiles.isEmpty(), "this kernel has none of the masked /proc files");
    }

    /** What the container sees at each masked file: its type and device number, and its size. */
    private Outcome masks(Filesystem filesystem) throws Exception {
        return Containers.sh(
                isola,
                filesystem,
                "for f in " + String.join(" ", maskedFiles) + "; do echo $f $(stat -c '%F %t:%T' $f) $(wc -c < $f);"
                        + " done");
    }

    private String nullEverywhere() {
        return maskedFiles.stream()
                .map(f -> f + " character special file 1:3 0\n")
                .collect(Collectors.joining());
    }

    @Test
    void aVolumeOnDevWhoseNullLinksToAKernelFileDoesNotRedirectTheMasks() throws Exception {
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        Files.createSymbolicLink(dev.resolve("null"), Path.of("/proc/sys/kernel/core_pattern"));

        Outcome outcome = masks(Filesystem.builder()
                .rootfs(rootfs.toString())
                .volume(Volume.parse(dev + ":/dev"))
                .build());

        assertEquals(nullEverywhere(), outcome.out(), outcome.err());
    }

    @Test
    void anEmptyTmpfsOnDevLeavesNoFileUnmasked() throws Exception {
        Outcome outcome = masks(Filesystem.builder()
                .rootfs(rootfs.toString())
                .tmpfs(TmpfsMount.parse("/dev"))
                .build());

        assertEquals(nullEverywhere(), outcome.out(), outcome.err());
    }

    @Test
    void aMaskedPathOutsideTheKernelsFileSystemsWithAMountOnDevIsRefused() throws Exception {
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        Filesystem filesystem = Filesystem.builder()
                .rootfs(rootfs.toString())
                .volume(Volume.parse(dev + ":/dev"))
                .build();

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> FilesystemPlan.of(filesystem, Neighbours.of(false, true))
                        .kernelPaths(new KernelPaths(List.of("/proc/keys", "/etc/secret"), List.of()))
                        .plan());

        assertEquals(
                "masked path \"/etc/secret\": its mask is a bind of the container's /dev/null, which the mount on /dev"
                        + " replaces; expected masked paths below /proc or /sys only, or no mount on /dev or /dev/null",
                e.getMessage());
    }

    @Test
    void onlyTheKernelsOwnPathsAreMaskedBeforeTheVolumes() {
        assertEquals(
                List.of(true, true, false, false, false, false, false),
                List.of(
                                "/proc/keys",
                                "/sys/firmware",
                                "/sys/fs/cgroup",
                                "/sys/fs/cgroup/cpu",
                                "/proc/self/root/etc",
                                "/proc/../etc/shadow",
                                "/etc/secret")
                        .stream()
                        .map(Lockdown::maskedEarly)
                        .toList());
    }
}
