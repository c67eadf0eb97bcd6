package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.StepFailedException;
import io.isola.api.TmpfsMount;
import io.isola.api.Volume;
import io.isola.testing.OpenFds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every mount lives in the container's namespace: the host's mount table never changes, on any path. */
class NothingLeftBehindTest {

    @TempDir
    Path tmp;

    @Test
    void aHundredRunsLeaveTheHostsMountTableAsItWas() throws Exception {
        Path rootfs = Busybox.rootfs(tmp.resolve("rootfs"));
        Path volume = Files.createDirectories(tmp.resolve("volume"));
        Filesystem image = Filesystem.builder()
                .rootfs(rootfs.toString())
                .readOnly(true)
                .volume(Volume.parse(volume + ":/data"))
                .tmpfs(TmpfsMount.at("/scratch"))
                .build();
        Filesystem sandbox =
                Filesystem.builder().volume(Volume.parse(volume + ":/data:ro")).build();
        Path containers = tmp.resolve("containers");
        try (Isola isola = Containers.runtime()) {
            isola.run(ContainerSpec.builder("/bin/true").with(image).build()); // warm up before measuring fds
            Set<String> mounts = HostMounts.snapshot();
            OpenFds fds = OpenFds.now();

            for (int i = 0; i < 100; i++) {
                Filesystem filesystem = switch (i % 3) {
                    case 0 -> image;
                    case 1 -> sandbox;
                    default ->
                        Filesystem.builder()
                                .layers(
                                        List.of(rootfs.toString()),
                                        containers.resolve("c" + i).toString())
                                .build(); // the rootfs as an image's only layer, under a writable layer of its own
                };
                assertEquals(
                        0,
                        isola.run(ContainerSpec.builder(
                                                "/bin/sh", "-c", "echo x > /tmp/x 2>/dev/null || echo x > /scratch/x")
                                        .with(filesystem)
                                        .build())
                                .exitCode());
            }

            assertEquals(List.of(), HostMounts.added(mounts, HostMounts.snapshot()));
            assertEquals(List.of(), fds.leaked());
            try (var left = Files.list(containers)) {
                assertEquals(List.of(), left.toList(), "writable layers of containers that are gone");
            }
        }
    }

    @Test
    void aSetupThatFailsHalfwayLeavesNothingMounted() throws Exception {
        Path volume = Files.createDirectories(tmp.resolve("volume"));
        String target = "/usr/isola-test-" + ProcessHandle.current().pid() + "/data";
        // /usr is read-only in the sandbox: creating the target fails after the root, /proc, /dev and /sys are mounted
        Filesystem filesystem = Filesystem.builder()
                .tmpfs(TmpfsMount.at("/run/first"))
                .volume(Volume.parse(volume + ":" + target))
                .build();
        try (Isola isola = Containers.runtime()) {
            Set<String> mounts = HostMounts.snapshot();

            StepFailedException failure = assertThrows(
                    StepFailedException.class,
                    () -> isola.start(
                            ContainerSpec.builder("/bin/true").with(filesystem).build()));

            assertEquals(
                    "mount: create directory " + target.substring(0, target.lastIndexOf('/'))
                            + " failed: EROFS (read-only file system)",
                    failure.getMessage());
            assertEquals(List.of(), HostMounts.added(mounts, HostMounts.snapshot()));
            assertFalse(Files.exists(Path.of(target).getParent()));
        }
    }
}
