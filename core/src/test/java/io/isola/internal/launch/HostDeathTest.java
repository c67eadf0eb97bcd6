package io.isola.internal.launch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isola.testing.HostState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host that dies while its child waits before the gate takes the child with it. */
class HostDeathTest {

    @TempDir
    Path dir;

    @Test
    void theChildDiesWithItsHostAndTheCommandNeverRuns() throws Exception {
        Path marker = dir.resolve("command-ran");
        Path pidFile = dir.resolve("child.pid");
        Process host = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HostDeathMain.class.getName(),
                        marker.toString(),
                        pidFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("host.log").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(pidFile) || Files.readString(pidFile).isEmpty()) {
                assertTrue(host.isAlive(), () -> "host JVM ended early: " + read(dir.resolve("host.log")));
                assertTrue(System.nanoTime() < deadline, "the host never reached its host-side setup");
                Thread.sleep(20);
            }
            long child = Long.parseLong(Files.readString(pidFile).trim());
            assertTrue(HostState.alive(child), "child should wait at the gate");

            host.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (HostState.alive(child) && System.nanoTime() < gone) {
                Thread.sleep(20);
            }
            assertFalse(HostState.alive(child), "the child outlived its host");
            Thread.sleep(200);
            assertFalse(Files.exists(marker), "the command ran although its host died before the gate");
        } finally {
            host.destroyForcibly();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return e.toString();
        }
    }
}
