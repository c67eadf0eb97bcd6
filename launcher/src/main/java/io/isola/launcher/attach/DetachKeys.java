package io.isola.launcher.attach;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The key sequence that detaches an attach and leaves the container running, written as Docker
 * writes it ({@code --detach-keys}): comma-separated keys, each a single character or
 * {@code ctrl-X} with X one of a-z, @, [, \, ], ^, _ (default {@code ctrl-p,ctrl-q}).
 *
 * <p>{@link Matcher} filters the keys on their way to the container as Docker's escape proxy
 * does: keys that may begin the sequence are held back, and given on when the next one does not
 * continue it.
 */
public record DetachKeys(byte[] sequence) {

    public static final String DEFAULT = "ctrl-p,ctrl-q";
    private static final String CONTROLS = "@abcdefghijklmnopqrstuvwxyz[\\]^_";

    /** Parses Docker's notation; throws naming the key that is not one. */
    public static DetachKeys parse(String keys) {
        ByteArrayOutputStream codes = new ByteArrayOutputStream();
        for (String key : keys.split(",", -1)) {
            if (key.length() == 1 && key.charAt(0) < 128) {
                codes.write(key.charAt(0));
            } else if (key.length() == 6 && key.startsWith("ctrl-") && CONTROLS.indexOf(key.charAt(5)) >= 0) {
                codes.write(CONTROLS.indexOf(key.charAt(5)));
            } else {
                throw new IllegalArgumentException(
                        "--detach-keys \"" + keys + "\": \"" + key + "\" is not a key; expected"
                                + " comma-separated single characters or ctrl-X with X one of a-z, @, [, \\, ], ^, _ (as ctrl-p,ctrl-q)");
            }
        }
        return new DetachKeys(codes.toByteArray());
    }

    /** A filter of one stream of keys. */
    public Matcher matcher() {
        return new Matcher();
    }

    /** Keys in, keys for the container out; tells when the whole sequence was typed. */
    public final class Matcher {

        private int matched;
        private boolean detached;

        private Matcher() {}

        /** The keys of {@code input} to pass on; after the sequence, {@link #detached()} is true and the rest is dropped. */
        public byte[] filter(byte[] input, int length) {
            ByteArrayOutputStream pass = new ByteArrayOutputStream(length + sequence.length);
            for (int i = 0; i < length && !detached; i++) {
                byte key = input[i];
                if (key == sequence[matched]) {
                    matched++;
                    if (matched == sequence.length) {
                        detached = true;
                    }
                    continue;
                }
                pass.write(sequence, 0, matched); // held back, not the sequence after all
                matched = 0;
                if (key == sequence[0]) {
                    matched = 1;
                    detached = sequence.length == 1;
                } else {
                    pass.write(key);
                }
            }
            return pass.toByteArray();
        }

        public boolean detached() {
            return detached;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DetachKeys keys && Arrays.equals(sequence, keys.sequence);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sequence);
    }

    @Override
    public String toString() {
        return "DetachKeys" + Arrays.toString(sequence);
    }
}
