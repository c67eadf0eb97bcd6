package io.isola.launcher.attach;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DetachKeysTest {

    @Test
    void dockerNotationParses() {
        assertArrayEquals(new byte[] {16, 17}, DetachKeys.parse("ctrl-p,ctrl-q").sequence());
        assertArrayEquals(
                new byte[] {'a', 0, 28, 31},
                DetachKeys.parse("a,ctrl-@,ctrl-\\,ctrl-_").sequence());
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> DetachKeys.parse("ctrl-p,ctrl-1"));
        assertTrue(bad.getMessage().contains("\"ctrl-1\" is not a key"), bad.getMessage());
    }

    @Test
    void keysThatBeginTheSequenceAreHeldBackAndGivenOnWhenItDoesNotFollow() {
        DetachKeys.Matcher matcher = DetachKeys.parse("ctrl-p,ctrl-q").matcher();
        assertArrayEquals(bytes("ab"), filter(matcher, "ab\u0010"), "ctrl-p held back");
        assertArrayEquals(bytes("\u0010x"), filter(matcher, "x"), "given on with the next key");
        assertArrayEquals(bytes("\u0010"), filter(matcher, "\u0010\u0010"), "ctrl-p ctrl-p: the first goes on");
        assertFalse(matcher.detached());
        assertArrayEquals(bytes(""), filter(matcher, "\u0011rest"), "the sequence across two reads; nothing after it");
        assertTrue(matcher.detached());
    }

    private static byte[] filter(DetachKeys.Matcher matcher, String keys) {
        byte[] input = bytes(keys);
        return matcher.filter(input, input.length);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
