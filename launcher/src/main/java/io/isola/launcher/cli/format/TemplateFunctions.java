package io.isola.launcher.cli.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The functions of Go's text/template and those Docker adds (json, join, split, upper, lower, title, pad, truncate). */
final class TemplateFunctions {

    static final Set<String> NAMES = new TreeSet<>(List.of(
            "json",
            "index",
            "join",
            "split",
            "upper",
            "lower",
            "title",
            "pad",
            "truncate",
            "len",
            "print",
            "println",
            "printf",
            "eq",
            "ne",
            "not",
            "and",
            "or",
            "lt",
            "gt"));

    private TemplateFunctions() {}

    static Object call(String name, List<Object> args) {
        return switch (name) {
            case "json" -> json(one(name, args));
            case "index" -> index(args);
            case "join" -> String.join(string(arg(name, args, 1, 2)), strings(arg(name, args, 0, 2)));
            case "split" ->
                List.of(string(arg(name, args, 0, 2)).split(Pattern.quote(string(arg(name, args, 1, 2))), -1));
            case "upper" -> string(one(name, args)).toUpperCase(Locale.ROOT);
            case "lower" -> string(one(name, args)).toLowerCase(Locale.ROOT);
            case "title" -> title(string(one(name, args)));
            case "pad" ->
                " ".repeat((int) number(arg(name, args, 1, 3)))
                        + string(arg(name, args, 0, 3))
                        + " ".repeat((int) number(arg(name, args, 2, 3)));
            case "truncate" -> truncate(string(arg(name, args, 0, 2)), (int) number(arg(name, args, 1, 2)));
            case "len" -> (long) length(one(name, args));
            case "print" ->
                String.join("", args.stream().map(TemplateValues::print).toList());
            case "println" ->
                String.join(" ", args.stream().map(TemplateValues::print).toList()) + "\n";
            case "printf" -> printf(args);
            case "eq" -> TemplateValues.same(arg(name, args, 0, 2), arg(name, args, 1, 2));
            case "ne" -> !TemplateValues.same(arg(name, args, 0, 2), arg(name, args, 1, 2));
            case "not" -> !TemplateValues.truth(one(name, args));
            case "and" ->
                args.stream()
                        .filter(a -> !TemplateValues.truth(a))
                        .findFirst()
                        .orElse(args.isEmpty() ? null : args.get(args.size() - 1));
            case "or" ->
                args.stream()
                        .filter(TemplateValues::truth)
                        .findFirst()
                        .orElse(args.isEmpty() ? null : args.get(args.size() - 1));
            case "lt" -> number(arg(name, args, 0, 2)) < number(arg(name, args, 1, 2));
            case "gt" -> number(arg(name, args, 0, 2)) > number(arg(name, args, 1, 2));
            default -> throw new IllegalArgumentException("function \"" + name + "\" not defined");
        };
    }

    private static Object one(String name, List<Object> args) {
        return arg(name, args, 0, 1);
    }

    private static Object arg(String name, List<Object> args, int index, int count) {
        if (args.size() != count) {
            throw new IllegalArgumentException(
                    "wrong number of args for " + name + ": want " + count + " got " + args.size());
        }
        return args.get(index);
    }

    private static String json(Object value) {
        try {
            return new ObjectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("json: " + e.getMessage());
        }
    }

    private static Object index(List<Object> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("wrong number of args for index: want at least 1 got 0");
        }
        Object value = args.get(0);
        for (Object key : args.subList(1, args.size())) {
            if (value instanceof Map<?, ?> map) {
                value = map.get(TemplateValues.print(key));
            } else if (value instanceof List<?> list && key instanceof Number n) {
                if (n.intValue() < 0 || n.intValue() >= list.size()) {
                    throw new IllegalArgumentException("index: index out of range: " + n);
                }
                value = list.get(n.intValue());
            } else {
                throw new IllegalArgumentException(
                        "index: cannot index " + TemplateValues.print(value) + " with " + key);
            }
        }
        return value;
    }

    private static String string(Object value) {
        return TemplateValues.print(value);
    }

    private static List<String> strings(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("join: expected a list, got " + TemplateValues.print(value));
        }
        List<String> out = new ArrayList<>();
        list.forEach(item -> out.add(TemplateValues.print(item)));
        return out;
    }

    private static double number(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("expected a number, got " + TemplateValues.print(value));
    }

    private static int length(Object value) {
        if (value instanceof List<?> list) {
            return list.size();
        }
        if (value instanceof Map<?, ?> map) {
            return map.size();
        }
        if (value instanceof String s) {
            return s.length();
        }
        throw new IllegalArgumentException("len of " + TemplateValues.print(value));
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder();
        boolean start = true;
        for (char c : s.toCharArray()) {
            out.append(start ? Character.toTitleCase(c) : c);
            start = Character.isWhitespace(c);
        }
        return out.toString();
    }

    private static String truncate(String s, int length) {
        return s.length() <= length ? s : s.substring(0, Math.max(0, length));
    }

    private static String printf(List<Object> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("wrong number of args for printf: want at least 1 got 0");
        }
        // Go's verbs that Java shares; %v prints as the template does
        String format = string(args.get(0)).replace("%v", "%s");
        Object[] rest = args.subList(1, args.size()).stream()
                .map(a -> a instanceof Number ? a : TemplateValues.print(a))
                .toArray();
        try {
            return String.format(Locale.ROOT, format, rest);
        } catch (IllegalFormatException e) {
            throw new IllegalArgumentException("printf \"" + format + "\": " + e.getMessage());
        }
    }
}
