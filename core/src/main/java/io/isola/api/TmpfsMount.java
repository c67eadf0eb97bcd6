package io.isola.api;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An empty, writable, memory-backed file system in the container, as {@code --tmpfs
 * PATH[:size=64m,mode=1777]} gives it. It lives as long as the container and never reaches the
 * host. It is mounted {@code nosuid,nodev}; {@code noexec} on request.
 *
 * @param target absolute path inside the container, created when missing
 * @param sizeBytes the most it may hold, or 0 for the kernel's default (half of RAM)
 * @param mode the permissions of its root directory, as {@code 01777}
 * @param noexec whether programs on it may not be executed
 */
public record TmpfsMount(String target, long sizeBytes, int mode, boolean noexec) {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([kmg]?)");

    public TmpfsMount {
        Paths.requireAbsolute("tmpfs target", target);
        if (Paths.isRoot(target)) {
            throw new IllegalArgumentException("tmpfs target \"" + target + "\": expected a path below /");
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("tmpfs size " + sizeBytes + ": expected 0 (the default) or more bytes");
        }
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException(
                    "tmpfs mode " + Integer.toOctalString(mode) + ": expected 0 to 7777 (octal)");
        }
    }

    /** A tmpfs at {@code target} with the defaults: no size limit of its own, mode 1777, exec allowed. */
    public static TmpfsMount at(String target) {
        return new TmpfsMount(target, 0, 01777, false);
    }

    /** Parses {@code PATH} or {@code PATH:OPT,...} with options {@code size=N[k|m|g]}, {@code mode=OCTAL}, {@code noexec}, {@code exec}. */
    public static TmpfsMount parse(String value) {
        Objects.requireNonNull(value, "value");
        int colon = value.indexOf(':');
        String target = colon < 0 ? value : value.substring(0, colon);
        long size = 0;
        int mode = 01777;
        boolean noexec = false;
        if (colon >= 0) {
            for (String option : value.substring(colon + 1).split(",")) {
                String o = option.trim().toLowerCase(Locale.ROOT);
                if (o.startsWith("size=")) {
                    size = parseSize(value, o.substring(5));
                } else if (o.startsWith("mode=")) {
                    try {
                        mode = Integer.parseInt(o.substring(5), 8);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("tmpfs \"" + value + "\": mode \"" + o.substring(5)
                                + "\" is not an octal number such as 1777");
                    }
                } else if (o.equals("noexec")) {
                    noexec = true;
                } else if (o.equals("exec")) {
                    noexec = false;
                } else if (!o.equals("rw")) {
                    throw new IllegalArgumentException("tmpfs \"" + value + "\": option \"" + option
                            + "\" is not known, expected size=N[k|m|g], mode=OCTAL, exec, noexec or rw");
                }
            }
        }
        return new TmpfsMount(target, size, mode, noexec);
    }

    private static long parseSize(String value, String size) {
        Matcher m = SIZE.matcher(size);
        if (!m.matches()) {
            throw new IllegalArgumentException("tmpfs \"" + value + "\": size \"" + size
                    + "\" is not a number of bytes with an optional k, m or g");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long number = Long.parseLong(m.group(1));
        if (number > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("tmpfs \"" + value + "\": size \"" + size + "\" is too large");
        }
        return number << shift;
    }
}
