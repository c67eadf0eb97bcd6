package io.isola.launcher.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The known names nearest to a mistyped verb or option ({@code --memroy}: {@code --memory}), as
 * docker's cobra suggests them, by edit distance (a swap of two letters is one edit): at most 1
 * for a word of up to 4 letters, else 2. Written out rather than taken from commons-text: 30 lines
 * against ~900 KB on the CLI's class path.
 */
public final class NearestName {

    private NearestName() {}

    /** The names of {@code known} nearest to {@code typed}, closest first, at most three; empty when none is near. */
    public static List<String> of(String typed, Collection<String> known) {
        String word = bare(typed);
        int allowed = word.length() <= 4 ? 1 : 2;
        return known.stream()
                .filter(name -> distance(word, bare(name)) <= allowed)
                .sorted(Comparator.comparingInt((String name) -> distance(word, bare(name)))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(3)
                .toList();
    }

    private static String bare(String name) {
        return name.replaceFirst("^-+", "");
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
