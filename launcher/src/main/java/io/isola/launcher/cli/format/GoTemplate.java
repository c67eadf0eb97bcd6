package io.isola.launcher.cli.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code --format} template in Go's text/template syntax, the part Docker users write (see
 * {@link TemplateParser}), run over maps, lists and plain values. Written here rather than taken
 * from a library: no maintained Java implementation of Go templates is in the package index
 * isola builds from, and Docker's own use needs a few hundred lines.
 */
public final class GoTemplate {

    private final String source;
    private final List<TemplateNode> nodes;

    private GoTemplate(String source, List<TemplateNode> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    /** Parses {@code source}; throws naming it and what is wrong. */
    public static GoTemplate parse(String source) {
        return new GoTemplate(source, TemplateParser.parse(source));
    }

    /**
     * A single object's {@code --format} ({@code inspect -f}, {@code version}, {@code info}):
     * {@code json} for the whole object as JSON, else a template; {@code \t} and {@code \n} as
     * Docker reads them.
     */
    public static GoTemplate ofFormat(String option) {
        return parse(
                OutputFormat.named(option).orElse(null) == OutputFormat.JSON
                        ? "{{json .}}"
                        : option.replace("\\t", "\t").replace("\\n", "\n"));
    }

    /** The template's text with {@code data} as dot. */
    public String execute(Object data) {
        StringBuilder out = new StringBuilder();
        try {
            run(nodes, data, data, out);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format \"" + source + "\": " + e.getMessage(), e);
        }
        return out.toString();
    }

    private void run(List<TemplateNode> list, Object dot, Object top, StringBuilder out) {
        for (TemplateNode node : list) {
            if (node instanceof TemplateNode.Text text) {
                out.append(text.text());
            } else if (node instanceof TemplateNode.Action action) {
                out.append(TemplateValues.print(pipeline(action.pipeline(), dot, top)));
            } else if (node instanceof TemplateNode.Block block) {
                block(block, dot, top, out);
            }
        }
    }

    private void block(TemplateNode.Block block, Object dot, Object top, StringBuilder out) {
        Object value = pipeline(block.pipeline(), dot, top);
        switch (block.kind()) {
            case IF -> run(TemplateValues.truth(value) ? block.body() : block.otherwise(), dot, top, out);
            case WITH -> {
                if (TemplateValues.truth(value)) {
                    run(block.body(), value, top, out);
                } else {
                    run(block.otherwise(), dot, top, out);
                }
            }
            case RANGE -> {
                List<?> items = value instanceof List<?> list
                        ? list
                        : value instanceof Map<?, ?> map
                                ? new ArrayList<>(new TreeMap<>(map).values())
                                : value == null ? List.of() : null;
                if (items == null) {
                    throw new IllegalArgumentException("range can't iterate over " + TemplateValues.print(value));
                }
                if (items.isEmpty()) {
                    run(block.otherwise(), dot, top, out);
                }
                for (Object item : items) {
                    run(block.body(), item, top, out);
                }
            }
        }
    }

    private Object pipeline(TemplateNode.Pipeline pipeline, Object dot, Object top) {
        Object value = null;
        boolean piped = false;
        for (TemplateNode.Command command : pipeline.commands()) {
            value = command(command, dot, top, piped ? value : null, piped);
            piped = true;
        }
        return value;
    }

    private Object command(TemplateNode.Command command, Object dot, Object top, Object input, boolean piped) {
        List<TemplateNode.Operand> operands = command.operands();
        if (operands.get(0) instanceof TemplateNode.Function function) {
            List<Object> args = new ArrayList<>();
            for (TemplateNode.Operand operand : operands.subList(1, operands.size())) {
                args.add(operand(operand, dot, top));
            }
            if (piped) {
                args.add(input);
            }
            return TemplateFunctions.call(function.name(), args);
        }
        if (operands.size() > 1 || piped) {
            throw new IllegalArgumentException("can't give argument to non-function " + describe(operands.get(0)));
        }
        return operand(operands.get(0), dot, top);
    }

    private Object operand(TemplateNode.Operand operand, Object dot, Object top) {
        if (operand instanceof TemplateNode.Literal literal) {
            return literal.value();
        }
        if (operand instanceof TemplateNode.Nested nested) {
            Object value = pipeline(nested.pipeline(), dot, top);
            for (String name : nested.fields()) {
                value = field(value, name);
            }
            return value;
        }
        if (operand instanceof TemplateNode.Function function) {
            return TemplateFunctions.call(function.name(), List.of());
        }
        TemplateNode.Field field = (TemplateNode.Field) operand;
        Object value = field.fromTop() ? top : dot;
        for (String name : field.names()) {
            value = field(value, name);
        }
        return value;
    }

    private static Object field(Object value, String name) {
        if (value instanceof Struct struct) {
            if (!struct.containsKey(name)) {
                throw new IllegalArgumentException("can't evaluate field " + name + " of a " + struct.type()
                        + "; expected one of: " + String.join(", ", struct.keySet()));
            }
            return struct.get(name);
        }
        if (value instanceof Map<?, ?> map) {
            return map.get(name);
        }
        if (value == null) {
            return null; // Go: a field of nothing in a map is nothing
        }
        throw new IllegalArgumentException("can't evaluate field " + name + " in " + TemplateValues.print(value));
    }

    private static String describe(TemplateNode.Operand operand) {
        return operand instanceof TemplateNode.Field f
                ? (f.fromTop() ? "$" : "") + "." + String.join(".", f.names())
                : operand.toString();
    }
}
