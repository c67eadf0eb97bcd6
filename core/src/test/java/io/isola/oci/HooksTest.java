package io.isola.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.isola.api.IsolaException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host hooks (prestart, createRuntime, poststart, poststop) as real processes. */
class HooksTest {

    @TempDir
    Path bundle;

    /**
     * A state larger than a pipe holds (an engine's annotations: Kubernetes allows 256 KiB) and a
     * hook that hangs without reading its stdin: the hook's timeout still ends it. The old runtime
     * wrote the state before it began to wait, and blocked in that write for as long as the hook hung.
     */
    @Test
    void aHookThatHangsWithoutReadingALargeStateIsEndedAtItsTimeout() {
        String state = "{\"annotations\":{\"big\":\"" + "x".repeat(256 * 1024) + "\"}}";
        Hook hangs = new Hook("/bin/sleep", List.of("sleep", "30"), List.of(), 1);
        IsolaException e = assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThrows(IsolaException.class, () -> Hooks.run("prestart", List.of(hangs), state)));
        assertEquals("prestart hook 0 (/bin/sleep) timed out after 1 s", e.getMessage());
    }

    /** The spec: "If set, timeout MUST be greater than zero"; the old reading made "abc" 0 and let -5 through. */
    @Test
    void aTimeoutOfZeroOrLessOrNotANumberIsRefusedNamingTheHook() throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        for (String timeout : List.of("0", "-5", "\"abc\"", "1.5")) {
            Files.writeString(
                    bundle.resolve("config.json"),
                    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\",\"args\":[\"true\"]},\"hooks\":{\"poststop\":["
                            + "{\"path\":\"/bin/true\"},{\"path\":\"/bin/true\",\"timeout\":" + timeout + "}]}}",
                    StandardCharsets.UTF_8);
            IllegalArgumentException refused =
                    assertThrows(IllegalArgumentException.class, () -> ConfigTranslator.load(bundle));
            assertEquals(
                    "config.json: hooks.poststop[1].timeout: expected a number of seconds greater than zero, got "
                            + timeout,
                    refused.getMessage());
        }
    }
}
