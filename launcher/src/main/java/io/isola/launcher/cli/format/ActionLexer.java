package io.isola.launcher.cli.format;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Reads the inside of one {@code {{...}}} as a pipeline: commands joined by {@code |}, operands in parentheses. */
final class ActionLexer {

    private final String text;
    private final Function<String, IllegalArgumentException> error;
    private int at;

    ActionLexer(String text, Function<String, IllegalArgumentException> error) {
        this.text = text;
        this.error = error;
    }

    TemplateNode.Pipeline pipeline() {
        TemplateNode.Pipeline pipeline = pipeline(false);
        if (at < text.length()) {
            throw error.apply("unexpected \"" + text.substring(at) + "\" in {{" + text + "}}");
        }
        return pipeline;
    }

    private TemplateNode.Pipeline pipeline(boolean nested) {
        List<TemplateNode.Command> commands = new ArrayList<>();
        List<TemplateNode.Operand> operands = new ArrayList<>();
        while (true) {
            skipSpace();
            if (at >= text.length() || (nested && text.charAt(at) == ')')) {
                break;
            }
            char c = text.charAt(at);
            if (c == '|') {
                at++;
                commands.add(command(operands));
                operands = new ArrayList<>();
            } else if (c == '(') {
                at++;
                TemplateNode.Pipeline nestedPipeline = pipeline(true);
                if (at >= text.length() || text.charAt(at) != ')') {
                    throw error.apply("unclosed ( in {{" + text + "}}");
                }
                at++;
                operands.add(new TemplateNode.Nested(nestedPipeline, fieldsAfterParenthesis()));
            } else {
                operands.add(operand());
            }
        }
        commands.add(command(operands));
        return new TemplateNode.Pipeline(commands);
    }

    /** {@code .A.B} right after a {@code )}: Go's field chain on the parenthesised value; empty when none. */
    private List<String> fieldsAfterParenthesis() {
        if (at >= text.length() || text.charAt(at) != '.') {
            return List.of();
        }
        int start = at;
        while (at < text.length() && !Character.isWhitespace(text.charAt(at)) && "|()".indexOf(text.charAt(at)) < 0) {
            at++;
        }
        List<String> names = List.of(text.substring(start + 1, at).split("\\.", -1));
        if (names.stream().anyMatch(String::isEmpty)) {
            throw error.apply("bad field \"" + text.substring(start, at) + "\" in {{" + text + "}}");
        }
        return names;
    }

    private TemplateNode.Command command(List<TemplateNode.Operand> operands) {
        if (operands.isEmpty()) {
            throw error.apply("empty command in {{" + text + "}}");
        }
        return new TemplateNode.Command(operands);
    }

    private TemplateNode.Operand operand() {
        char c = text.charAt(at);
        if (c == '"' || c == '`') {
            return new TemplateNode.Literal(string(c));
        }
        int start = at;
        while (at < text.length() && !Character.isWhitespace(text.charAt(at)) && "|()".indexOf(text.charAt(at)) < 0) {
            at++;
        }
        String word = text.substring(start, at);
        if (word.equals(":=") || word.equals("=")) {
            throw error.apply("variables are not supported by isola's --format");
        }
        if (word.startsWith(".") || word.equals("$") || word.startsWith("$.")) {
            boolean top = word.startsWith("$");
            String path = top ? word.substring(1) : word;
            List<String> names = path.equals(".") || path.isEmpty()
                    ? List.of()
                    : List.of(path.substring(1).split("\\.", -1));
            if (names.stream().anyMatch(String::isEmpty)) {
                throw error.apply("bad field \"" + word + "\"");
            }
            return new TemplateNode.Field(top, names);
        }
        if (word.startsWith("$")) {
            throw error.apply("variables are not supported by isola's --format (" + word + ")");
        }
        if (word.matches("-?\\d+")) {
            return new TemplateNode.Literal(Long.parseLong(word));
        }
        if (word.equals("true") || word.equals("false")) {
            return new TemplateNode.Literal(Boolean.parseBoolean(word));
        }
        if (word.equals("nil")) {
            return new TemplateNode.Literal(null);
        }
        if (!TemplateFunctions.NAMES.contains(word)) {
            throw error.apply("function \"" + word + "\" not defined; expected one of: "
                    + String.join(", ", TemplateFunctions.NAMES));
        }
        return new TemplateNode.Function(word);
    }

    private String string(char quote) {
        StringBuilder value = new StringBuilder();
        at++;
        while (at < text.length() && text.charAt(at) != quote) {
            char c = text.charAt(at++);
            if (c == '\\' && quote == '"' && at < text.length()) {
                char escaped = text.charAt(at++);
                value.append(
                        switch (escaped) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> escaped;
                        });
            } else {
                value.append(c);
            }
        }
        if (at >= text.length()) {
            throw error.apply("unterminated string in {{" + text + "}}");
        }
        at++;
        return value.toString();
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }
}
