package io.isola.launcher.cli.format;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A list verb's {@code --format}, as Docker reads it: {@code table} (the verb's own table, the
 * default), {@code json} (one JSON object a line), {@code table TEMPLATE} (a header, then a row a
 * line, tab-separated cells aligned as Docker's tabwriter aligns them) or a {@code TEMPLATE} run
 * once per item. A literal {@code \t} or {@code \n} in the text is a tab or a newline, as in Docker.
 */
public final class ListFormat {

    /** Docker's tabwriter: cells at least 10 wide, 3 spaces of padding. */
    private static final int MIN_WIDTH = 10, PADDING = 3;

    private final String option;
    private final boolean table;
    private final GoTemplate template;

    private ListFormat(String option, boolean table, GoTemplate template) {
        this.option = option;
        this.table = table;
        this.template = template;
    }

    public static ListFormat parse(String option) {
        OutputFormat word = option == null || option.isBlank()
                ? OutputFormat.TABLE
                : OutputFormat.named(option).orElse(null);
        if (word == OutputFormat.TABLE) {
            return new ListFormat(OutputFormat.TABLE.word(), true, null);
        }
        if (word == OutputFormat.JSON) {
            return new ListFormat(option, false, GoTemplate.parse("{{json .}}"));
        }
        boolean table = option.startsWith("table ");
        String text = (table ? option.substring("table ".length()) : option)
                .strip()
                .replace("\\t", "\t")
                .replace("\\n", "\n");
        return new ListFormat(option, table, GoTemplate.parse(text));
    }

    /** Whether the verb prints its own table. */
    public boolean isDefault() {
        return template == null;
    }

    /** Prints {@code items} ({@link Struct}s) as the format says; {@code header} holds each field's column title. */
    public void print(List<? extends Object> items, Struct header, PrintWriter out) {
        if (template == null) {
            throw new IllegalStateException("the default table is the verb's: " + option);
        }
        List<String> lines = new ArrayList<>();
        if (table) {
            lines.add(template.execute(header));
        }
        for (Object item : items) {
            lines.add(template.execute(item));
        }
        if (table) {
            lines = aligned(lines);
        }
        lines.forEach(out::println);
        out.flush();
    }

    /** Go's tabwriter: every tab-terminated cell padded to its column's width. */
    public static List<String> aligned(List<String> lines) {
        List<String[]> cells = lines.stream().map(line -> line.split("\t", -1)).toList();
        List<Integer> widths = new ArrayList<>();
        for (String[] row : cells) {
            for (int i = 0; i < row.length - 1; i++) {
                int width = Math.max(MIN_WIDTH, row[i].length() + PADDING);
                if (widths.size() <= i) {
                    widths.add(width);
                } else {
                    widths.set(i, Math.max(widths.get(i), width));
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths.get(i) - row[i].length()));
                }
            }
            out.add(line.toString().stripTrailing());
        }
        return out;
    }
}
