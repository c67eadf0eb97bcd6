package io.isola.launcher.cli.oci;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's OCI state with runc's fields, in runc's order: the spec's {@code ociVersion},
 * {@code id}, {@code pid}, {@code status}, {@code bundle}, {@code annotations} and runc's own
 * {@code rootfs}, {@code created} and {@code owner} (empty in {@code state}, the owner's name in
 * {@code list}, as runc fills them).
 */
public final class RuncState {

    private static final List<String> ORDER =
            List.of("ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations");

    private RuncState() {}

    public static Map<String, Object> of(Map<String, Object> oci, String owner) {
        Map<String, Object> state = new LinkedHashMap<>();
        for (String key : ORDER) {
            if (oci.containsKey(key)) {
                state.put(key, oci.get(key));
            }
        }
        state.put("owner", owner);
        return state;
    }

    /** runc's {@code state}: two-space indentation, no newline after the closing brace. */
    public static String indented(Map<String, Object> oci) {
        return GoJson.indented(of(oci, ""), "  ");
    }

    /** runc's {@code list -f json}: one line, no newline after it. */
    public static String list(List<Map<String, Object>> states) {
        return GoJson.compact(states);
    }
}
