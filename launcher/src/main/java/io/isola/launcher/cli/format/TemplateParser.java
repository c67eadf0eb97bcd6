package io.isola.launcher.cli.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses the part of Go's text/template that Docker users write in {@code --format}: fields
 * ({@code .State.Status}), functions and pipelines, string and number literals, parentheses,
 * {@code if}/{@code else}/{@code range}/{@code with}/{@code end} and the {@code {{-}} / {@code -}}}
 * trim markers. Anything else (variables, {@code define}, comments) is refused, naming it.
 */
final class TemplateParser {

    private final String source;
    private int at;

    private TemplateParser(String source) {
        this.source = source;
    }

    static List<TemplateNode> parse(String source) {
        TemplateParser parser = new TemplateParser(source);
        List<TemplateNode> nodes = new ArrayList<>();
        String end = parser.nodes(nodes);
        if (end != null) {
            throw parser.error("{{" + end + "}} without a block to close");
        }
        return nodes;
    }

    /** Parses nodes into {@code into} until the end or an {@code else}/{@code end}, which it returns. */
    private String nodes(List<TemplateNode> into) {
        while (at < source.length()) {
            int open = source.indexOf("{{", at);
            String text = source.substring(at, open < 0 ? source.length() : open);
            if (open < 0) {
                addText(into, text);
                at = source.length();
                return null;
            }
            boolean trimLeft = source.startsWith("{{- ", open) || source.startsWith("{{-\t", open);
            addText(into, trimLeft ? text.stripTrailing() : text);
            int close = source.indexOf("}}", open + 2);
            if (close < 0) {
                throw error("unclosed action: expected }}");
            }
            String inside = source.substring(open + (trimLeft ? 3 : 2), close);
            boolean trimRight = inside.endsWith(" -") || inside.endsWith("\t-");
            if (trimRight) {
                inside = inside.substring(0, inside.length() - 1);
            }
            at = close + 2;
            if (trimRight) {
                while (at < source.length() && Character.isWhitespace(source.charAt(at))) {
                    at++;
                }
            }
            String keyword = inside.strip().split("\\s+", 2)[0];
            switch (keyword) {
                case "end", "else" -> {
                    return inside.strip();
                }
                case "if", "range", "with" ->
                    into.add(block(
                            TemplateNode.Kind.valueOf(keyword.toUpperCase(Locale.ROOT)),
                            inside.strip().substring(keyword.length())));
                default -> into.add(new TemplateNode.Action(new ActionLexer(inside, this::error).pipeline()));
            }
        }
        return null;
    }

    private TemplateNode block(TemplateNode.Kind kind, String head) {
        TemplateNode.Pipeline pipeline = new ActionLexer(head, this::error).pipeline();
        List<TemplateNode> body = new ArrayList<>();
        String end = nodes(body);
        List<TemplateNode> otherwise = new ArrayList<>();
        if (end != null && end.startsWith("else")) {
            String rest = end.substring(4).strip();
            if (rest.startsWith("if ") && kind == TemplateNode.Kind.IF) {
                otherwise.add(block(TemplateNode.Kind.IF, rest.substring(2)));
                return new TemplateNode.Block(kind, pipeline, body, otherwise); // the nested if took the end
            }
            end = nodes(otherwise);
        }
        if (!"end".equals(end)) {
            throw error("{{" + kind.name().toLowerCase(Locale.ROOT) + "}} without {{end}}");
        }
        return new TemplateNode.Block(kind, pipeline, body, otherwise);
    }

    private static void addText(List<TemplateNode> into, String text) {
        if (!text.isEmpty()) {
            into.add(new TemplateNode.Text(text));
        }
    }

    private IllegalArgumentException error(String why) {
        return new IllegalArgumentException("format \"" + source + "\": " + why);
    }
}
