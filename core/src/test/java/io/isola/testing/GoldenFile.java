package io.isola.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A text compared with a checked-in file, for golden tests: a mismatch names its first differing
 * line and writes the whole text under {@code target/golden-actual}; with
 * {@code -Disola.golden.update=true} the file is written instead, for a deliberate change whose diff
 * is then read in review.
 */
public final class GoldenFile {

    public static final String UPDATE_PROPERTY = "isola.golden.update";
    private static final Path ACTUAL = Path.of("target/golden-actual");

    private GoldenFile() {}

    public static void check(Path dir, String name, String actual) throws IOException {
        Path file = dir.resolve(name + ".txt");
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(dir);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(file)) {
            fail(file + " does not exist: run with -D" + UPDATE_PROPERTY + "=true and commit it");
        }
        String expected = Files.readString(file, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            Path written = Files.createDirectories(ACTUAL).resolve(name + ".txt");
            Files.writeString(written, actual, StandardCharsets.UTF_8);
            fail(name + ": the text differs from " + file + " " + firstDifference(expected, actual)
                    + "; the whole text is in " + written + " (diff the two); if the change is meant, regenerate"
                    + " with -D" + UPDATE_PROPERTY + "=true and review the diff");
        }
    }

    private static String firstDifference(String expected, String actual) {
        List<String> want = expected.lines().toList(), got = actual.lines().toList();
        for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
            String w = i < want.size() ? want.get(i) : "(end)", g = i < got.size() ? got.get(i) : "(end)";
            if (!w.equals(g)) {
                return "at line " + (i + 1) + ": expected \"" + w + "\", got \"" + g + "\"";
            }
        }
        return "in its line ends";
    }
}
