package io.isola.internal.security;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.Capability;
import io.isola.api.SeccompProfile;
import io.isola.api.SeccompProfile.Action;
import io.isola.api.SeccompProfile.Condition;
import io.isola.api.SeccompProfile.Op;
import io.isola.api.SeccompProfile.Rule;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Docker's seccomp profile format. Every problem is reported as one sentence that names the
 * profile, the place in it and what is allowed there; nothing is guessed.
 */
public final class SeccompProfileParser {

    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** The actions a profile may name (SCMP_ACT_KILL is libseccomp's old name of KILL_THREAD); NOTIFY is not among them. */
    private static final Map<String, Action> ACTIONS = actions();

    private final String source;

    private SeccompProfileParser(String source) {
        this.source = source;
    }

    public static SeccompProfile parse(String source, String json) {
        return new SeccompProfileParser(source).parse(json);
    }

    private SeccompProfile parse(String json) {
        JsonNode root;
        try {
            root = JsonTree.read(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            // Jackson's own limits (nesting depth, number length) report no location
            throw bad("is not valid JSON"
                    + (at == null
                            ? " or exceeds the parser's limits (" + e.getOriginalMessage() + ")"
                            : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw bad("cannot be read (" + e.getMessage() + ")"); // a String source has no I/O to fail
        }
        if (root == null || !root.isObject()) {
            throw bad("expected a JSON object with defaultAction and syscalls");
        }
        JsonNode defaultAction = root.get("defaultAction");
        if (defaultAction == null) {
            throw bad("has no defaultAction; expected one such as SCMP_ACT_ERRNO");
        }
        Action action = action("defaultAction", defaultAction);
        int defaultErrno = errno("defaultErrnoRet", root.get("defaultErrnoRet"));
        List<String> arches = new ArrayList<>(strings("architectures", root.get("architectures")));
        JsonNode archMap = root.get("archMap");
        if (archMap != null && !archMap.isNull()) {
            requireArray("archMap", archMap);
            for (JsonNode entry : archMap) {
                arches.addAll(strings("archMap.architecture", entry.get("architecture")));
                arches.addAll(strings("archMap.subArchitectures", entry.get("subArchitectures")));
            }
        }
        List<Rule> rules = new ArrayList<>();
        JsonNode syscalls = root.get("syscalls");
        if (syscalls != null && !syscalls.isNull()) {
            requireArray("syscalls", syscalls);
            int index = 0;
            for (JsonNode syscall : syscalls) {
                rules.add(rule("syscalls[" + index++ + "]", syscall));
            }
        }
        return new SeccompProfile(source, action, defaultErrno, arches, rules);
    }

    private Rule rule(String where, JsonNode node) {
        if (!node.isObject()) {
            throw bad(where + ": expected an object with names and action");
        }
        List<String> names = new ArrayList<>(strings(where + ".names", node.get("names")));
        if (node.hasNonNull("name")) {
            names.addAll(strings(where + ".name", node.get("name")));
        }
        if (names.isEmpty()) {
            throw bad(where + ": names no system call; expected \"names\": [\"...\"]");
        }
        for (String name : names) {
            if (!name.matches("[a-z_][a-z0-9_]{0,63}")) {
                throw bad(where + ": system call name \"" + name + "\" is not a valid name");
            }
        }
        JsonNode actionNode = node.get("action");
        if (actionNode == null) {
            throw bad(where + ": has no action; expected one such as SCMP_ACT_ALLOW");
        }
        Action action = action(where + ".action", actionNode);
        int errno = errno(where + ".errnoRet", node.get("errnoRet"));
        List<Condition> conditions = new ArrayList<>();
        JsonNode args = node.get("args");
        if (args != null && !args.isNull()) {
            requireArray(where + ".args", args);
            int i = 0;
            for (JsonNode arg : args) {
                conditions.add(condition(where + ".args[" + i++ + "]", arg));
            }
        }
        JsonNode includes = node.get("includes"), excludes = node.get("excludes");
        return new Rule(
                names,
                action,
                errno,
                conditions,
                caps(where + ".includes", includes),
                caps(where + ".excludes", excludes),
                strings(where + ".includes.arches", field(includes, "arches")),
                strings(where + ".excludes.arches", field(excludes, "arches")),
                minKernel(where, includes));
    }

    private Condition condition(String where, JsonNode node) {
        if (!node.isObject()) {
            throw bad(where + ": expected an object with index, value and op");
        }
        JsonNode index = node.get("index");
        if (index == null || !index.canConvertToInt() || index.asInt() < 0 || index.asInt() > 5) {
            throw bad(where + ".index: expected an argument index from 0 to 5, got " + index);
        }
        JsonNode opNode = node.get("op");
        if (opNode == null || !opNode.isTextual()) {
            throw bad(where + ".op: expected one of SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ");
        }
        Op op;
        try {
            op = Op.valueOf(opNode.asText().replaceFirst("^SCMP_CMP_", ""));
        } catch (IllegalArgumentException e) {
            throw bad(where + ".op \"" + opNode.asText() + "\": expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, "
                    + "SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ");
        }
        return new Condition(
                index.asInt(),
                op,
                u64(where + ".value", node.get("value")),
                u64(where + ".valueTwo", node.get("valueTwo")));
    }

    private long u64(String where, JsonNode node) {
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber()
                || node.bigIntegerValue().signum() < 0
                || node.bigIntegerValue().compareTo(MAX_U64) > 0) {
            throw bad(where + ": expected an unsigned 64-bit integer, got " + node);
        }
        return node.bigIntegerValue().longValue();
    }

    private Action action(String where, JsonNode node) {
        String text = node.isTextual() ? node.asText() : node.toString();
        if (text.equals("SCMP_ACT_NOTIFY")) {
            throw bad(where + " SCMP_ACT_NOTIFY: not supported (isola has no seccomp agent)");
        }
        Action action = ACTIONS.get(text);
        if (action == null) {
            throw bad(where + " " + text + ": expected one of " + String.join(", ", ACTIONS.keySet()));
        }
        return action;
    }

    private static Map<String, Action> actions() {
        Map<String, Action> actions = new LinkedHashMap<>();
        actions.put("SCMP_ACT_ALLOW", Action.ALLOW);
        actions.put("SCMP_ACT_ERRNO", Action.ERRNO);
        actions.put("SCMP_ACT_KILL", Action.KILL_THREAD);
        actions.put("SCMP_ACT_KILL_THREAD", Action.KILL_THREAD);
        actions.put("SCMP_ACT_KILL_PROCESS", Action.KILL_PROCESS);
        actions.put("SCMP_ACT_TRAP", Action.TRAP);
        actions.put("SCMP_ACT_TRACE", Action.TRACE);
        actions.put("SCMP_ACT_LOG", Action.LOG);
        return Collections.unmodifiableMap(actions);
    }

    /** The action names a profile may use, as the OCI features verb lists them. */
    public static List<String> actionNames() {
        return List.copyOf(ACTIONS.keySet());
    }

    /** The architectures a profile may name, by their libseccomp names. */
    public static List<String> architectureNames() {
        return Arrays.stream(SeccompArch.values()).map(SeccompArch::scmpName).toList();
    }

    /** The comparison operators a profile may use, by their libseccomp names. */
    public static List<String> operatorNames() {
        return Arrays.stream(Op.values()).map(op -> "SCMP_CMP_" + op.name()).toList();
    }

    private int errno(String where, JsonNode node) {
        if (node == null || node.isNull()) {
            return SeccompProfile.EPERM;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < 0 || node.asInt() > 4095) {
            throw bad(where + ": expected an errno number from 0 to 4095, got " + node);
        }
        return node.asInt();
    }

    private Set<Capability> caps(String where, JsonNode node) {
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        for (String name : strings(where + ".caps", field(node, "caps"))) {
            try {
                caps.add(Capability.parse(name));
            } catch (IllegalArgumentException e) {
                throw bad(where + ".caps: " + e.getMessage());
            }
        }
        return caps;
    }

    private String minKernel(String where, JsonNode includes) {
        JsonNode node = field(includes, "minKernel");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !node.asText().matches("\\d+(\\.\\d+)*")) {
            throw bad(where + ".includes.minKernel: expected a kernel version such as \"4.8\", got " + node);
        }
        return node.asText();
    }

    private List<String> strings(String where, JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        requireArray(where, node);
        List<String> values = new ArrayList<>();
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            JsonNode element = it.next();
            if (!element.isTextual()) {
                throw bad(where + ": expected strings, got " + element);
            }
            values.add(element.asText());
        }
        return values;
    }

    private static JsonNode field(JsonNode node, String name) {
        return node == null || !node.isObject() ? null : node.get(name);
    }

    private void requireArray(String where, JsonNode node) {
        if (!node.isArray()) {
            throw bad(where + ": expected an array, got "
                    + node.getNodeType().name().toLowerCase());
        }
    }

    private IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("seccomp profile \"" + source + "\": " + what);
    }
}
