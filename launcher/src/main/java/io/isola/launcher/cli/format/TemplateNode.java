package io.isola.launcher.cli.format;

import java.util.List;

/** The parsed form of a Go template: text, actions, and the control structures isola's --format takes. */
sealed interface TemplateNode {

    /** Text outside actions, printed as it is. */
    record Text(String text) implements TemplateNode {}

    /** {@code {{PIPELINE}}}: its value printed. */
    record Action(Pipeline pipeline) implements TemplateNode {}

    /** {@code {{if P}}...{{else}}...{{end}}}, {@code range} (over a list or map, dot the element) and {@code with}. */
    record Block(Kind kind, Pipeline pipeline, List<TemplateNode> body, List<TemplateNode> otherwise)
            implements TemplateNode {}

    enum Kind {
        IF,
        RANGE,
        WITH
    }

    /** Commands joined by {@code |}: each one's value is the last argument of the next. */
    record Pipeline(List<Command> commands) {}

    /** A function and its arguments, or one operand alone. */
    record Command(List<Operand> operands) {}

    /** What an argument may be. */
    sealed interface Operand {}

    /** {@code .A.B} (from dot) or {@code $.A.B} (from the top); no names: dot or the top itself. */
    record Field(boolean fromTop, List<String> names) implements Operand {}

    record Literal(Object value) implements Operand {}

    /** A function's name ({@code json}, {@code index}, ...). */
    record Function(String name) implements Operand {}

    /** {@code (PIPELINE)}, and the fields taken of its value: {@code (index .Log 0).ExitCode}. */
    record Nested(Pipeline pipeline, List<String> fields) implements Operand {}
}
