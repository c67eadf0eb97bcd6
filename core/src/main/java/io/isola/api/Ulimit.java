package io.isola.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One resource limit of the container's process, as {@code --ulimit nofile=1024:2048} sets it.
 *
 * @param name Docker's name of the limit ({@code nofile}, {@code nproc}, ...)
 * @param soft the soft limit, {@link #UNLIMITED} for none
 * @param hard the hard limit, at least {@code soft}
 */
public record Ulimit(String name, long soft, long hard) {

    /** RLIM_INFINITY. */
    public static final long UNLIMITED = -1;

    /** Docker's names, in the kernel's RLIMIT_* order (the index is the resource number). */
    private static final String[] NAMES = {
        "cpu",
        "fsize",
        "data",
        "stack",
        "core",
        "rss",
        "nproc",
        "nofile",
        "memlock",
        "as",
        "locks",
        "sigpending",
        "msgqueue",
        "nice",
        "rtprio",
        "rttime"
    };

    public Ulimit {
        resource(name);
        if (soft < UNLIMITED || hard < UNLIMITED) {
            throw new IllegalArgumentException("ulimit " + name + ": limits must not be negative");
        }
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new IllegalArgumentException("ulimit \"" + name + "=" + text(soft) + ":" + text(hard)
                    + "\": the soft limit is above the hard limit");
        }
    }

    /** The kernel's RLIMIT_* number of this limit. */
    public int resource() {
        return resource(name);
    }

    /** Parses Docker's form {@code NAME=SOFT[:HARD]}, where a limit may be {@code unlimited} or -1. */
    public static Ulimit parse(String value) {
        int eq = value.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(
                    "ulimit \"" + value + "\": expected NAME=SOFT[:HARD], such as nofile=1024:2048");
        }
        String name = value.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String[] limits = value.substring(eq + 1).split(":", -1);
        if (limits.length > 2) {
            throw new IllegalArgumentException(
                    "ulimit \"" + value + "\": expected NAME=SOFT[:HARD], such as nofile=1024:2048");
        }
        long soft = limit(value, limits[0]);
        long hard = limits.length == 2 ? limit(value, limits[1]) : soft;
        return new Ulimit(name, soft, hard);
    }

    private static long limit(String whole, String text) {
        String trimmed = text.trim();
        if (trimmed.equals("unlimited") || trimmed.equals("-1")) {
            return UNLIMITED;
        }
        try {
            long parsed = Long.parseLong(trimmed);
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ulimit \"" + whole + "\": limit \"" + text
                    + "\" is not a number; expected a non-negative integer or unlimited");
        }
    }

    private static int resource(String name) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("ulimit \"" + name + "\": unknown limit; expected one of "
                + Arrays.stream(NAMES).collect(Collectors.joining(", ")));
    }

    static String text(long limit) {
        return limit == UNLIMITED ? "unlimited" : Long.toString(limit);
    }

    @Override
    public String toString() {
        return name + "=" + text(soft) + ":" + text(hard);
    }
}
