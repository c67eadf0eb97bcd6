package io.isola.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Spec extension: kernel parameters set for the container, as {@code --sysctl} and an OCI
 * config.json's {@code linux.sysctl} give them. Only parameters that belong to one of the
 * container's own namespaces are accepted, since any other would change the host: network ones
 * ({@code net.*}) for its network namespace, IPC ones ({@code kernel.shm*}, {@code kernel.msg*},
 * {@code kernel.sem}, {@code fs.mqueue.*}) for its IPC namespace. They are written before the
 * container's command starts, from inside those namespaces.
 *
 * @param values by dotted name ({@code net.ipv4.ip_forward}), the value to write
 */
public record Sysctls(Map<String, String> values) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9_]+(\\.[a-zA-Z0-9_-]+)+");
    private static final List<String> IPC = List.of(
            "kernel.msgmax",
            "kernel.msgmnb",
            "kernel.msgmni",
            "kernel.sem",
            "kernel.shmall",
            "kernel.shmmax",
            "kernel.shmmni",
            "kernel.shm_rmid_forced");

    /** The namespace a parameter belongs to. */
    public enum Scope {
        NET,
        IPC
    }

    public Sysctls {
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((name, value) -> {
            scope(name);
            if (value == null || value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("sysctl \"" + name + "\": value must be one line of text");
            }
            copy.put(name, value);
        });
        values = Collections.unmodifiableMap(copy);
    }

    /** Which namespace {@code name} belongs to; throws naming it when it is not namespaced. */
    public static Scope scope(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException(
                    "sysctl \"" + name + "\": expected a dotted name such as net.ipv4.ip_forward");
        }
        if (name.startsWith("net.")) {
            return Scope.NET;
        }
        if (IPC.contains(name) || name.startsWith("fs.mqueue.")) {
            return Scope.IPC;
        }
        throw new IllegalArgumentException(
                "sysctl \"" + name + "\": not namespaced, so setting it would change the host;"
                        + " expected net.*, fs.mqueue.* or one of " + String.join(", ", IPC));
    }

    /** The file under {@code /proc/sys} for {@code name}. */
    public static String procPath(String name) {
        return "/proc/sys/" + name.replace('.', '/');
    }
}
