package io.isola.ns.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isola.api.ContainerSpec;
import io.isola.api.Filesystem;
import io.isola.api.Isola;
import io.isola.api.Security;
import io.isola.testing.Outcome;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --privileged} leaves the kernel's paths unmasked and writable, as Docker does; by default they are covered. */
class PrivilegedTest {

    @TempDir
    Path tmp;

    @Test
    void privilegedMasksNoPathsTheDefaultMasksThem() throws Exception {
        Path rootfs = Busybox.rootfs(tmp.resolve("rootfs"));
        String script = "grep -c -E ' /proc/(sysrq-trigger|kcore|keys|timer_list|sys) ' /proc/self/mountinfo";
        try (Isola isola = Containers.runtime()) {
            Outcome locked = Outcome.of(
                    isola,
                    ContainerSpec.builder("/bin/sh", "-c", script)
                            .with(Filesystem.builder().rootfs(rootfs.toString()).build())
                            .build());
            Outcome privileged = Outcome.of(
                    isola,
                    ContainerSpec.builder("/bin/sh", "-c", script)
                            .with(Filesystem.builder().rootfs(rootfs.toString()).build())
                            .with(Security.builder().privileged(true).build())
                            .build());
            assertEquals(0, locked.status().exitCode(), locked.err());
            assertEquals("0\n", privileged.out(), privileged.err());
            assertEquals(
                    true, Integer.parseInt(locked.out().trim()) >= 2, locked::out); // sysrq-trigger and sys at least
        }
    }
}
