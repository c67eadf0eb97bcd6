package io.isola.launcher.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the resident server of this user and this installation listens:
 * {@code <dir>/s-<key>.sock}, the directory being {@code /run/isola-server} for root,
 * {@code $XDG_RUNTIME_DIR/isola-server} or else {@code /tmp/isola-server-<uid>} for anybody else,
 * mode 0700 and owned by the user ({@code isola.server.dir} / {@code $ISOLA_SERVER_DIR} override
 * it, for tests). The key is a hash of what makes two command lines see a different isola: the
 * installation, the configuration and state directories from the environment. A server with
 * another key is another server.
 */
public record ServerAddress(Path dir, Path socket) {

    /** The environment variables a served command line must share with its server. */
    public static final List<String> KEYED_ENV = List.of("ISOLA_CONF", "ISOLA_ROOT", "XDG_RUNTIME_DIR");

    /**
     * {@code name}'s value in {@code env} as isola reads it: null when unset or empty, as every
     * reader of these variables takes an empty one for an unset one (podman hands its runtime
     * {@code XDG_RUNTIME_DIR=}, a shell mostly has none; both must find the same server).
     */
    public static String keyedValue(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    public static ServerAddress of(long uid, Map<String, String> env) {
        Path dir = directory(uid, env);
        StringBuilder key = new StringBuilder();
        for (String property : new String[] {"isola.home", "isola.bundles", "isola.conf"}) {
            key.append(property)
                    .append('=')
                    .append(System.getProperty(property, ""))
                    .append('\n');
        }
        // the server's JDK: a thin create that bin/isola runs on a faster JDK than the server's
        // names the server's (isola.server.java.home) to find the same server
        key.append("java.home=")
                .append(System.getProperty("isola.server.java.home", System.getProperty("java.home", "")))
                .append('\n');
        // a loop, not a stream: in the thin client a first lambda costs a bootstrap of the lambda
        // machinery (~20 ms of a start of ~100 ms on a small host)
        for (String name : KEYED_ENV) { // sorted: the key must not depend on an order of a set
            String value = keyedValue(env, name);
            key.append(name).append('=').append(value == null ? "" : value).append('\n');
        }
        return new ServerAddress(dir, dir.resolve("s-" + fnv64(key.toString()) + ".sock"));
    }

    /** bin/isola's shell client (lib/shell-client.bash) finds the same directory in bash: keep the two alike. */
    private static Path directory(long uid, Map<String, String> env) {
        String explicit = System.getProperty("isola.server.dir", env.get("ISOLA_SERVER_DIR"));
        if (explicit != null && !explicit.isEmpty()) {
            return Path.of(explicit);
        }
        if (uid == 0) {
            return Path.of("/run/isola-server");
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg))) {
            return Path.of(xdg, "isola-server");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "isola-server-" + uid);
    }

    /**
     * Null when the directory is fit to hold the socket: a real directory, owned by {@code uid},
     * reachable by nobody else; else why not (another user could have made it to listen in).
     */
    public String unfitBecause(long uid) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return dir + " is not a directory";
            }
            long owner =
                    Integer.toUnsignedLong((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            if (owner != uid) {
                return dir + " belongs to uid " + owner + ", not " + uid;
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            for (PosixFilePermission permission : mode) {
                if (permission.name().startsWith("GROUP") || permission.name().startsWith("OTHERS")) {
                    return dir + " is open to other users (expected mode 0700)";
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return dir + ": " + e.getMessage();
        }
    }

    /** FNV-1a, 64 bits, in hex: a stable name (MessageDigest would load the security providers). */
    static String fnv64(String text) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            hash ^= text.charAt(i);
            hash *= 0x100000001b3L;
        }
        String hex = Long.toHexString(hash);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** The effective uid of this process: the owner of /proc/self (no native code on the client). */
    public static long currentUid() {
        try {
            return Integer.toUnsignedLong((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the owner of /proc/self: " + e.getMessage(), e);
        }
    }
}
