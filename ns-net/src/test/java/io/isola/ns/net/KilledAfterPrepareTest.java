package io.isola.ns.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host killed after the network isolator made a container's directory and before the clone
 * leaves a directory that says whose it is, so the next sweep removes it at once: one without a
 * state file waited a minute for its age to tell, and no command after the kill removed it.
 */
class KilledAfterPrepareTest {

    @TempDir
    Path tmp;

    @Test
    void aDirectoryOfAHostKilledBeforeItsCloneIsRemovedByTheNextSweep() throws Exception {
        Path runtimeDir = tmp.resolve("run");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process host = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        PreparedHostMain.class.getName(),
                        runtimeDir.toString(),
                        tmp.resolve("net.d").toString(),
                        "killedafterprepare")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String line =
                    new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("prepared", line);
        } finally {
            host.destroyForcibly(); // SIGKILL
            assertTrue(host.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(1, new AttachmentStore(runtimeDir).dirs().size(), "the prepared container's directory");

        new NetIsolator(new NetIsolator.Settings(
                        "isotnone", "none", "/usr/lib/cni", tmp.resolve("net.d"), runtimeDir, ""))
                .cleanupStale();

        try (var left = Files.list(runtimeDir.resolve("containers"))) {
            assertEquals(List.of(), left.toList());
        }
    }
}
