package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import io.isola.api.ContainerSpec;
import io.isola.api.IdMapping;
import io.isola.api.KernelPaths;
import io.isola.api.NamespacePaths;
import io.isola.api.Network;
import io.isola.api.SeccompProfile;
import io.isola.api.Security;
import io.isola.api.Sysctls;
import io.isola.api.UserNamespace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code linux}: namespaces (created, or joined by path), sysctls, masked and read-only paths, the
 * seccomp filter. Resources and the cgroup path are {@link ResourcesSection}'s.
 */
final class LinuxSection {

    /** OCI namespace type to the isolator that creates it. */
    static final Map<String, String> ISOLATORS = Map.of(
            "pid", "pid", "ipc", "ipc", "uts", "uts", "mount", "mount", "network", "net", "cgroup", "cgroup", "user",
            "user");

    /** OCI namespace type to its name under /proc/<pid>/ns: every type can be joined by path. */
    private static final Map<String, String> JOINABLE = Map.of(
            "network", "net", "ipc", "ipc", "uts", "uts", "pid", "pid", "mount", "mnt", "user", "user", "cgroup",
            "cgroup", "time", "time");

    /**
     * The container's namespaces: {@code isolators} create theirs, {@code joined} (OCI types) are
     * joined by path; a type in neither is the runtime's, as the spec says ("the container MUST
     * inherit the runtime namespace of that type").
     */
    record Namespaces(Set<String> isolators, Set<String> joined) {
        /** What the container's mount namespace is: its own, another's joined by path, or the runtime's. */
        boolean ownMount() {
            return isolators.contains("mount");
        }

        boolean joinedMount() {
            return joined.contains("mount");
        }
    }

    private LinuxSection() {}

    /** The isolators to run and the types joined; the namespaces to join by path go into the spec. */
    static Namespaces namespaces(ConfigFields fields, ContainerSpec.Builder spec) {
        JsonNode list = fields.take("linux.namespaces");
        Set<String> isolators = new LinkedHashSet<>();
        Set<String> joined = new LinkedHashSet<>();
        if (list == null) {
            TimeOffsetsSection.refuseWithoutNamespace(fields);
            return new Namespaces(isolators, joined);
        }
        Map<String, String> joins = new LinkedHashMap<>();
        Set<String> created = new LinkedHashSet<>();
        Set<String> types = new HashSet<>();
        int index = 0;
        for (JsonNode namespace : list) {
            String field = "linux.namespaces[" + index++ + "]";
            String type = namespace.path("type").asText();
            String isolator = ISOLATORS.get(type);
            if (isolator == null && !JOINABLE.containsKey(type)) {
                throw ConfigFields.refuse(
                        field + ".type", "\"" + type + "\": expected one of " + new TreeSet<>(JOINABLE.keySet()));
            }
            if (!types.add(type)) {
                throw ConfigFields.refuse(field + ".type", "\"" + type + "\": listed twice; expected each type once");
            }
            JsonNode path = namespace.get("path");
            if (path != null && !path.isNull() && !path.asText().isEmpty()) {
                if (!path.asText().startsWith("/")) {
                    throw ConfigFields.refuse(field + ".path", "\"" + path.asText() + "\": expected an absolute path");
                }
                joins.put(JOINABLE.get(type), path.asText());
                joined.add(type);
            } else if (type.equals("time")) {
                created.add(type);
            } else if (isolator == null) {
                throw ConfigFields.refuse(
                        field,
                        "creating a new " + type + " namespace is not supported by isola;"
                                + " expected a path to join one, or no " + type + " entry to share the runtime's");
            } else {
                isolators.add(isolator);
                if (type.equals("network")) {
                    // an OCI runtime makes an empty network namespace; the engine attaches it (CNI,
                    // netavark) through /proc/<pid>/ns/net between create and start
                    spec.with(Network.parse("none"));
                }
            }
        }
        if (!joins.isEmpty()) {
            spec.with(new NamespacePaths(joins));
        }
        if (created.contains("time")) {
            if (!joins.isEmpty()) {
                // the joins need a process spawned inside them, which a fork-style clone cannot spawn
                throw ConfigFields.refuse(
                        "linux.namespaces",
                        "a new time namespace beside namespaces joined by path " + joined
                                + " is not supported by isola; expected a time namespace joined by path too, or none");
            }
            spec.with(TimeOffsetsSection.read(fields));
        } else {
            TimeOffsetsSection.refuseWithoutNamespace(fields);
        }
        return new Namespaces(isolators, joined);
    }

    /**
     * {@code linux.uidMappings} and {@code gidMappings}: the maps of the user namespace the
     * container creates (the user isolator writes them: directly as root, else through newuidmap
     * and newgidmap). Maps without a new user namespace are refused, as runc refuses them.
     */
    static void idMappings(ConfigFields fields, ContainerSpec.Builder spec, Namespaces namespaces) {
        List<IdMapping> uids = mappings(fields, "linux.uidMappings");
        List<IdMapping> gids = mappings(fields, "linux.gidMappings");
        if (uids.isEmpty() && gids.isEmpty()) {
            return;
        }
        if (!namespaces.isolators().contains("user")) {
            throw ConfigFields.refuse(
                    uids.isEmpty() ? "linux.gidMappings" : "linux.uidMappings",
                    "maps for a user namespace"
                            + " the container does not create; expected a \"user\" entry without a path in linux.namespaces");
        }
        if (uids.isEmpty() || gids.isEmpty()) {
            throw ConfigFields.refuse(
                    uids.isEmpty() ? "linux.uidMappings" : "linux.gidMappings",
                    "absent while the other is given; expected both uid and gid maps");
        }
        try {
            spec.with(UserNamespace.of(uids, gids));
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("linux.uidMappings", e.getMessage());
        }
    }

    private static List<IdMapping> mappings(ConfigFields fields, String path) {
        JsonNode node = fields.take(path);
        List<IdMapping> maps = new ArrayList<>();
        if (node == null) {
            return maps;
        }
        if (!node.isArray()) {
            throw ConfigFields.refuse(path, "expected an array of {containerID, hostID, size}");
        }
        int index = 0;
        for (JsonNode map : node) {
            String field = path + "[" + index++ + "]";
            long[] values = new long[3];
            String[] names = {"containerID", "hostID", "size"};
            for (int i = 0; i < 3; i++) {
                JsonNode value = map.get(names[i]);
                if (value == null
                        || !value.canConvertToLong()
                        || !value.isIntegralNumber()
                        || value.asLong() < 0
                        || value.asLong() > IdMapping.ID_LIMIT) {
                    throw ConfigFields.refuse(
                            field + "." + names[i],
                            (value == null ? "absent" : "\"" + value + "\"") + ": expected a number from 0 to "
                                    + IdMapping.ID_LIMIT);
                }
                values[i] = value.asLong();
            }
            maps.add(new IdMapping(values[0], values[1], values[2]));
        }
        return maps;
    }

    /** Each parameter must belong to a namespace of the container's (checked again against the namespaces at start). */
    static void sysctl(ConfigFields fields, ContainerSpec.Builder spec) {
        JsonNode node = fields.take("linux.sysctl");
        if (node == null || node.isEmpty()) {
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        node.fields().forEachRemaining(entry -> {
            String field = "linux.sysctl." + entry.getKey();
            if (!entry.getValue().isTextual()) {
                throw ConfigFields.refuse(field, "expected a string value");
            }
            try {
                Sysctls.scope(entry.getKey());
            } catch (IllegalArgumentException e) {
                throw ConfigFields.refuse(field, e.getMessage());
            }
            values.put(entry.getKey(), entry.getValue().asText());
        });
        try {
            spec.with(new Sysctls(values));
        } catch (IllegalArgumentException e) {
            throw ConfigFields.refuse("linux.sysctl", e.getMessage());
        }
    }

    /**
     * The config's lists replace the mount isolator's defaults; a list that is absent while the
     * other is given is empty, as the config asks. With neither, isola's defaults (OCI's) apply.
     */
    static void kernelPaths(ConfigFields fields, ContainerSpec.Builder spec) {
        if (fields.at("linux.maskedPaths") == null && fields.at("linux.readonlyPaths") == null) {
            return;
        }
        List<String> masked = fields.texts("linux.maskedPaths");
        List<String> readOnly = fields.texts("linux.readonlyPaths");
        for (String path : masked) {
            absolute("linux.maskedPaths", path);
        }
        for (String path : readOnly) {
            absolute("linux.readonlyPaths", path);
        }
        spec.with(new KernelPaths(masked, readOnly));
    }

    private static void absolute(String field, String path) {
        if (!path.startsWith("/")) {
            throw ConfigFields.refuse(field, "\"" + path + "\": expected an absolute path");
        }
    }

    /**
     * OCI's seccomp object has the form of Docker's profiles, which isola compiles itself; the
     * filter flags and the user-space notification agent are not supported. Without the object
     * the container gets no filter, as the config asks.
     */
    static void seccomp(ConfigFields fields, Security.Builder security) {
        JsonNode node = fields.at("linux.seccomp");
        if (node == null) {
            security.seccompUnconfined();
            return;
        }
        for (String unsupported : List.of("flags", "listenerPath", "listenerMetadata")) {
            JsonNode value = node.get(unsupported);
            boolean empty = value == null
                    || value.isNull()
                    || (value.isContainerNode() && value.isEmpty())
                    || (value.isTextual() && value.asText().isEmpty());
            if (!empty) {
                throw ConfigFields.refuse(
                        "linux.seccomp." + unsupported,
                        "not supported by isola's seccomp filter;" + " expected it absent");
            }
        }
        fields.take("linux.seccomp");
        try {
            security.seccompProfile(SeccompProfile.parse("config.json linux.seccomp", node.toString()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("linux.seccomp", e.getMessage(), e);
        }
    }
}
