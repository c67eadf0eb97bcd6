package io.isola.api;

/** Checks shared by the file system settings. */
final class Paths {

    private Paths() {}

    static void requireAbsolute(String what, String path) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " \"" + path + "\": expected an absolute path without NUL bytes");
        }
    }

    /** Whether {@code path} names {@code /} once repeated and trailing slashes and dots are dropped. */
    static boolean isRoot(String path) {
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                return false;
            }
        }
        return true;
    }
}
