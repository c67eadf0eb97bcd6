package io.isola.launcher.volume;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Volume names as Docker's local driver allows them, and the names of anonymous volumes. */
public final class VolumeName {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{1,254}");

    private VolumeName() {}

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** {@code name}, or an error naming it and what is allowed. */
    public static String check(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("volume name \"" + name
                    + "\": expected 2 to 255 letters, digits and _ . -," + " starting with a letter or digit");
        }
        return name;
    }

    /**
     * The anonymous volume of {@code containerId} at {@code target}: 64 hex digits as Docker's,
     * but derived rather than random, so that a run that builds its spec twice, and {@code start}
     * of the stopped container, find the same volume again.
     */
    public static String anonymous(String containerId, String target) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest =
                    sha.digest((containerId + "\0" + Path.of(target).normalize()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
