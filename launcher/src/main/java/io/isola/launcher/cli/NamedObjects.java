package io.isola.launcher.cli;

import io.isola.launcher.cli.format.ListFormat;
import io.isola.launcher.cli.format.Struct;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The shape Docker gives the verbs of its named objects ({@code network} and {@code volume}:
 * create, ls, rm, prune), written once: labels as {@code KEY=VALUE}, a list as names or a table,
 * a removal of each name with the failures together, and prune's question.
 */
final class NamedObjects {

    private NamedObjects() {}

    /** {@code --label KEY=VALUE} options as a map, in their order; a label without "=" has the value "". */
    static Map<String, String> labels(List<String> options) {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String label : options) {
            int eq = label.indexOf('=');
            parsed.put(eq < 0 ? label : label.substring(0, eq), eq < 0 ? "" : label.substring(eq + 1));
        }
        return parsed;
    }

    /** Labels as a list's {{.Labels}} column shows them: {@code KEY=VALUE,...}. */
    static String joined(Stream<Map.Entry<String, String>> labels) {
        return String.join(",", labels.map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /**
     * Prints {@code shown}: one {@code name} a line with {@code quiet}, else as {@code format} says,
     * where no format is {@code defaultTable} (Docker's own columns).
     */
    static <T> void list(
            PrintWriter out,
            boolean quiet,
            ListFormat format,
            String defaultTable,
            List<T> shown,
            Function<T, String> name,
            Function<T, Struct> row,
            Struct header) {
        if (quiet) {
            shown.forEach(each -> out.println(name.apply(each)));
        } else {
            ListFormat list = format.isDefault() ? ListFormat.parse(defaultTable) : format;
            list.print(shown.stream().map(row).toList(), header, out);
        }
        out.flush();
    }

    /** Removes one object; prints nothing when it returns false, throws IllegalArgumentException to fail it. */
    interface Removal {
        boolean remove(String name);
    }

    /**
     * Removes each of {@code names}, printing those removed: every name is tried, as Docker's, and
     * the failures are thrown together, one a line.
     */
    static void removeEach(List<String> names, PrintWriter out, Removal removal) {
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            try {
                if (removal.remove(name)) {
                    out.println(name);
                }
            } catch (IllegalArgumentException e) {
                failures.add(e.getMessage());
            }
        }
        out.flush();
        if (!failures.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", failures));
        }
    }

    /** Asks prune's question after {@code warning}; true for y or yes on stdin. */
    static boolean confirmed(PrintWriter out, String warning) throws IOException {
        out.print(warning + "\nAre you sure you want to continue? [y/N] ");
        out.flush();
        String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        return answer != null
                && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }

    /** Prune's report: {@code title} and the names deleted, when there are any. */
    static void deleted(PrintWriter out, String title, List<String> deleted) {
        if (!deleted.isEmpty()) {
            out.println(title);
            deleted.forEach(out::println);
        }
    }
}
