package io.isola.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unbounded arrays of a config.json are refused, naming the field and the limit, before the file
 * is read into memory: a million environment entries once ended in an OutOfMemoryError.
 */
class ConfigLimitsTest {

    @TempDir
    Path bundle;

    @Test
    void aMillionEnvironmentEntriesAreRefusedNamingTheFieldAndTheLimit() throws Exception {
        write(
                "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\",\"args\":[\"true\"],\"env\":[",
                "\"K%d=v\"",
                1_000_000,
                "]}}");

        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> ConfigTranslator.load(bundle));

        assertEquals("config.json: process.env: more than 65536 entries: expected at most 65536", refused.getMessage());
    }

    @Test
    void argsMountsAndHooksAreBoundedToo() throws Exception {
        write(
                "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\",\"args\":[",
                "\"a%d\"",
                70_000,
                "]}}");
        assertEquals(
                "config.json: process.args: more than 65536 entries: expected at most 65536",
                assertThrows(IllegalArgumentException.class, () -> ConfigTranslator.load(bundle))
                        .getMessage());

        write(
                "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"mounts\":[",
                "{\"destination\":\"/m%d\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}",
                20_000,
                "]}");
        assertEquals(
                "config.json: mounts: more than 10000 entries: expected at most 10000",
                assertThrows(IllegalArgumentException.class, () -> ConfigTranslator.load(bundle))
                        .getMessage());

        write(
                "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"hooks\":{\"prestart\":[",
                "{\"path\":\"/bin/true%d\"}",
                2_000,
                "]}}");
        assertEquals(
                "config.json: hooks.prestart: more than 1024 entries: expected at most 1024",
                assertThrows(IllegalArgumentException.class, () -> ConfigTranslator.load(bundle))
                        .getMessage());
    }

    /** config.json as {@code head}, {@code count} elements made from {@code element} by their index, and {@code tail}. */
    private void write(String head, String element, int count, String tail) throws IOException {
        try (Writer out = Files.newBufferedWriter(bundle.resolve("config.json"))) {
            out.write(head);
            for (int i = 0; i < count; i++) {
                out.write((i == 0 ? "" : ",") + element.replace("%d", Integer.toString(i)));
            }
            out.write(tail);
        }
    }
}
