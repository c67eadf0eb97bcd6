package io.isola.launcher.cli;

import java.util.Locale;

/** Sizes as Docker prints them: decimal units, three significant digits ({@code 0B}, {@code 12.3kB}, {@code 1.5GB}). */
final class ByteSizes {

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

    private ByteSizes() {}

    static String human(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        if (unit == 0) {
            return bytes + "B";
        }
        String number = String.format(Locale.ROOT, "%.3g", value);
        if (number.contains(".")) {
            number = number.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return number + UNITS[unit];
    }
}
