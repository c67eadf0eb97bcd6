package io.isola.internal.nativ;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Linux's signal numbers (asm-generic, the same on x86_64 and aarch64), written once: the runtime
 * sends, forwards, resets and names them. The names are kill(1)'s, without the SIG prefix.
 */
public final class Signals {

    public static final int SIGHUP = 1,
            SIGINT = 2,
            SIGQUIT = 3,
            SIGABRT = 6,
            SIGKILL = 9,
            SIGUSR1 = 10,
            SIGUSR2 = 12,
            SIGPIPE = 13,
            SIGALRM = 14,
            SIGTERM = 15,
            SIGCHLD = 17,
            SIGCONT = 18,
            SIGSTOP = 19,
            SIGTSTP = 20,
            SIGWINCH = 28;

    /** The highest signal number (SIGRTMAX). */
    public static final int LAST = 64;

    private static final Map<String, Integer> BY_NAME = Map.ofEntries(
            Map.entry("HUP", SIGHUP),
            Map.entry("INT", SIGINT),
            Map.entry("QUIT", SIGQUIT),
            Map.entry("ABRT", SIGABRT),
            Map.entry("KILL", SIGKILL),
            Map.entry("USR1", SIGUSR1),
            Map.entry("USR2", SIGUSR2),
            Map.entry("PIPE", SIGPIPE),
            Map.entry("ALRM", SIGALRM),
            Map.entry("TERM", SIGTERM),
            Map.entry("CHLD", SIGCHLD),
            Map.entry("CONT", SIGCONT),
            Map.entry("STOP", SIGSTOP),
            Map.entry("TSTP", SIGTSTP),
            Map.entry("WINCH", SIGWINCH));

    private Signals() {}

    /** The number of the signal named {@code name} ({@code KILL} or {@code SIGKILL}, any case). */
    public static Optional<Integer> byName(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return Optional.ofNullable(BY_NAME.get(upper.startsWith("SIG") ? upper.substring(3) : upper));
    }

    /**
     * A signal as kill(1) takes it ({@code 9}, {@code KILL}, {@code SIGKILL}); a bad one names
     * itself and what is allowed.
     */
    public static int parse(String value) {
        Optional<Integer> known = byName(value);
        if (known.isPresent()) {
            return known.get();
        }
        String upper = value.toUpperCase(Locale.ROOT);
        try {
            int number = Integer.parseInt(upper.startsWith("SIG") ? upper.substring(3) : upper);
            if (number >= 1 && number <= LAST) {
                return number;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(
                "signal \"" + value + "\": expected a number from 1 to " + LAST + " or a name such as TERM or SIGKILL");
    }

    /** The names this class knows, without the SIG prefix. */
    static Map<String, Integer> names() {
        return BY_NAME;
    }
}
