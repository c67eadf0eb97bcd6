package io.isola.launcher.registry;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** sha256 digests as the OCI specs write them: {@code sha256:<64 lower-case hex digits>}. */
public final class Digests {

    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

    private Digests() {}

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] content) {
        return format(newSha256().digest(content));
    }

    public static String format(byte[] sha256) {
        return "sha256:" + HexFormat.of().formatHex(sha256);
    }

    /** {@code digest}, or an error naming {@code what} when it is not a sha256 digest (other algorithms are refused). */
    public static String check(String digest, String what) throws IOException {
        if (digest == null || !SHA256.matcher(digest).matches()) {
            throw new IOException(what + ": digest \"" + digest + "\": expected sha256:<64 lower-case hex digits>");
        }
        return digest;
    }
}
