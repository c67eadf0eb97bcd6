package io.isola.internal.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Loading the native layer makes a root process non-dumpable at once, before any container and
 * without a word on stderr: in a test JVM the check before each clone would hide a load that
 * failed to, so this one loads it in a JVM of its own.
 */
class NativeLoadTest {

    @Test
    void aRootProcessIsNonDumpableFromTheNativeLayersLoadOnQuietly() throws Exception {
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        NativeLoadMain.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jvm.waitFor(60, TimeUnit.SECONDS);
        assertEquals("dumpable=0\n", output);
        assertEquals(0, jvm.exitValue());
    }
}
