package io.isola.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What binding libc costs a thin JVM (issue 17): the linker spins a stub class and its method
 * handles per call shape, at every cold start (no AOT cache holds them), so every function shares
 * one. Counted in a JVM of its own, as bin/isola starts the thin client: nothing bound before.
 */
class FfmShapesTest {

    @Test
    void everyFunctionIsBoundThroughOneDowncallShape() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process jvm = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-Xlog:class+load=info:stdout",
                        "-cp",
                        System.getProperty("java.class.path"),
                        BindAndCall.class.getName())
                .redirectErrorStream(true)
                .start();
        jvm.getOutputStream().close();
        String log = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the JVM did not end");
        assertEquals(0, jvm.exitValue(), log);
        assertTrue(log.contains("euid " + new FfmThinLibc().geteuid()), log);
        List<String> stubs = log.lines()
                .filter(line -> line.contains("jdk.internal.foreign.abi.DowncallStub"))
                .toList();
        assertEquals(1, stubs.size(), "downcall stubs spun: " + stubs);
    }

    /** Binds every function (the class's initializer) and calls one of them. */
    static final class BindAndCall {
        public static void main(String[] args) {
            System.out.println("euid " + new FfmThinLibc().geteuid());
        }
    }
}
