package io.isola.launcher.cli;

import java.util.Map;

/** Signal names and numbers as kill(1) takes them: 9, KILL, SIGKILL. */
public final class Signals {

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1),
            Map.entry("INT", 2),
            Map.entry("QUIT", 3),
            Map.entry("ABRT", 6),
            Map.entry("KILL", 9),
            Map.entry("USR1", 10),
            Map.entry("USR2", 12),
            Map.entry("PIPE", 13),
            Map.entry("ALRM", 14),
            Map.entry("TERM", 15),
            Map.entry("CHLD", 17),
            Map.entry("CONT", 18),
            Map.entry("STOP", 19),
            Map.entry("TSTP", 20),
            Map.entry("WINCH", 28));

    private Signals() {}

    public static int parse(String value) {
        String name = value.toUpperCase(java.util.Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        Integer known = NUMBERS.get(name);
        if (known != null) {
            return known;
        }
        try {
            int number = Integer.parseInt(name);
            if (number >= 1 && number <= 64) {
                return number;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(
                "signal \"" + value + "\": expected a number from 1 to 64 or a name such as TERM or SIGKILL");
    }
}
