package io.isola.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.isola.testing.HostCommand;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file bound on a process's uid_map and gid_map in the runtime's mount namespace (runc's
 * CVE-2025-52881's way) does not change the maps isolators read: ns-mount shifts a root file
 * system's ownership by them.
 */
class IdMapsAttackTest {

    @Test
    void filesBoundOnAProcessesMapsAreNotRead(@TempDir Path tmp) throws Exception {
        assumeTrue(HostIdentity.current().isRoot(), "binds on /proc need root");
        Process process = new ProcessBuilder(
                        "unshare", "--user", "--map-root-user", "sh", "-c", "echo ready; exec sleep 60")
                .start();
        Path dir = Path.of("/proc", Long.toString(process.pid()));
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            Path fake = Files.writeString(tmp.resolve("map"), "0 12345 1\n");
            HostCommand.run(
                    "mount", "--bind", fake.toString(), dir.resolve("uid_map").toString());
            HostCommand.run(
                    "mount", "--bind", fake.toString(), dir.resolve("gid_map").toString());

            IdMaps maps = IdMaps.ofProcess(process.pid());

            assertEquals(0, maps.hostUid(0), "container root's host uid, as the kernel maps it");
            assertEquals(0, maps.hostGid(0), "container root's host gid, as the kernel maps it");
        } finally {
            for (String name : new String[] {"uid_map", "gid_map"}) {
                new ProcessBuilder("umount", "-l", dir.resolve(name).toString())
                        .start()
                        .waitFor(10, TimeUnit.SECONDS);
            }
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
