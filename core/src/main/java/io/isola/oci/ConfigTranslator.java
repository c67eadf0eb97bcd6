package io.isola.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isola.api.ContainerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates a bundle's config.json into an {@link OciPlan}. What isola honours is read; every
 * other field present is refused with its JSON name (see {@link ConfigFields}). The supported
 * set grows as features land: a field moves from refused to read when its feature exists.
 */
public final class ConfigTranslator {

    /** OCI namespace type to the isolator that creates it. */
    static final Map<String, String> ISOLATORS = Map.of("pid", "pid", "ipc", "ipc", "uts", "uts", "mount", "mount",
            "network", "net", "cgroup", "cgroup", "user", "user");
    static final Set<String> HOOK_KINDS = Set.of("prestart", "createRuntime", "poststart", "poststop");

    private ConfigTranslator() {}

    public static OciPlan load(Path bundle) {
        Path config = bundle.resolve("config.json");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(config.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("bundle \"" + bundle + "\": no config.json in it");
        } catch (IOException e) {
            throw new IllegalArgumentException("bundle \"" + bundle + "\": config.json is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("bundle \"" + bundle + "\": config.json is not a JSON object");
        }
        return translate(root, bundle);
    }

    static OciPlan translate(JsonNode root, Path bundle) {
        ConfigFields fields = new ConfigFields(root);
        String version = fields.text("ociVersion");
        if (version == null || !version.startsWith("1.")) {
            throw ConfigFields.refuse("ociVersion", "\"" + version + "\": expected a 1.x version");
        }
        List<String> args = fields.texts("process.args");
        if (args.isEmpty()) {
            throw ConfigFields.refuse("process.args", "expected the command to run");
        }
        ContainerSpec.Builder spec = ContainerSpec.builder(args);
        for (String entry : fields.texts("process.env")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw ConfigFields.refuse("process.env", "\"" + entry + "\": expected NAME=VALUE");
            }
            spec.env(entry.substring(0, eq), entry.substring(eq + 1));
        }
        JsonNode terminal = fields.take("process.terminal");
        if (terminal != null && terminal.asBoolean(false)) {
            spec.with(new ProcessTerminal());
        }
        String cwd = fields.text("process.cwd");
        spec.cwd(cwd == null ? "/" : cwd);
        requireZero(fields, "process.user.uid");
        requireZero(fields, "process.user.gid");
        io.isola.api.Filesystem.Builder filesystem = root(fields, bundle);
        spec.isolators(namespaces(fields));
        String hostname = fields.text("hostname");
        if (hostname != null && !hostname.isEmpty()) {
            spec.hostname(hostname);
        }
        String domainname = fields.text("domainname");
        if (domainname != null && !domainname.isEmpty()) {
            spec.domainname(domainname);
        }
        mounts(fields, bundle, filesystem);
        spec.with(filesystem.build());
        Map<String, String> annotations = new LinkedHashMap<>();
        JsonNode notes = fields.take("annotations");
        if (notes != null) {
            notes.fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        }
        Map<String, List<Hook>> hooks = hooks(fields);
        List<String> unsupported = fields.unread();
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("config.json: not supported by isola: " + String.join(", ", unsupported)
                    + " (remove these fields, or use a runtime that implements them)");
        }
        return new OciPlan(spec, hooks, annotations);
    }

    private static void requireZero(ConfigFields fields, String path) {
        JsonNode node = fields.take(path);
        if (node != null && node.asLong() != 0) {
            throw ConfigFields.refuse(path, node.asText() + ": only 0 is supported (user namespaces and ids are not wired to OCI yet)");
        }
    }

    /** root.path, relative to the bundle, becomes the container's root (pivot_root into it). */
    private static io.isola.api.Filesystem.Builder root(ConfigFields fields, Path bundle) {
        String path = fields.text("root.path");
        if (path == null) {
            throw ConfigFields.refuse("root.path", "expected the container's root directory");
        }
        Path resolved = bundle.resolve(path).normalize();
        if (!java.nio.file.Files.isDirectory(resolved)) {
            throw ConfigFields.refuse("root.path", "\"" + path + "\": " + resolved + " is not a directory");
        }
        JsonNode readonly = fields.take("root.readonly");
        return io.isola.api.Filesystem.builder().rootfs(resolved.toString()).readOnly(readonly != null && readonly.asBoolean());
    }

    private static Set<String> namespaces(ConfigFields fields) {
        JsonNode list = fields.take("linux.namespaces");
        Set<String> isolators = new LinkedHashSet<>();
        if (list == null) {
            return isolators;
        }
        int index = 0;
        for (JsonNode namespace : list) {
            String field = "linux.namespaces[" + index++ + "]";
            String type = namespace.path("type").asText();
            if (namespace.hasNonNull("path")) {
                throw ConfigFields.refuse(field + ".path", "joining an existing namespace is not supported yet");
            }
            String isolator = ISOLATORS.get(type);
            if (isolator == null) {
                throw ConfigFields.refuse(field + ".type", "\"" + type + "\": expected one of " + ISOLATORS.keySet());
            }
            isolators.add(isolator);
        }
        return isolators;
    }

    /** The kernel file systems the mount isolator mounts in every container root, by destination and type. */
    static final Map<String, String> PROVIDED = Map.of("/proc", "proc", "/dev", "tmpfs", "/dev/pts", "devpts",
            "/dev/shm", "tmpfs", "/dev/mqueue", "mqueue", "/sys", "sysfs");

    /**
     * Mounts: the kernel file systems the mount isolator provides anyway are accepted as such;
     * bind mounts become volumes (read-only with "ro"); anything else is refused by its index.
     */
    private static void mounts(ConfigFields fields, Path bundle, io.isola.api.Filesystem.Builder filesystem) {
        JsonNode mounts = fields.take("mounts");
        if (mounts == null) {
            return;
        }
        int index = 0;
        for (JsonNode mount : mounts) {
            String field = "mounts[" + index++ + "]";
            String destination = mount.path("destination").asText();
            String type = mount.path("type").asText("");
            List<String> options = strings(mount.get("options"));
            if (type.equals(PROVIDED.get(destination))) {
                continue;
            }
            if (type.equals("bind") || options.contains("bind") || options.contains("rbind")) {
                for (String option : options) {
                    if (!Set.of("bind", "rbind", "ro", "rw", "rprivate", "private").contains(option)) {
                        throw ConfigFields.refuse(field + ".options", "\"" + option + "\" is not supported for bind mounts");
                    }
                }
                String source = bundle.resolve(mount.path("source").asText()).normalize().toString();
                filesystem.volume(new io.isola.api.Volume(source, destination, options.contains("ro")));
                continue;
            }
            throw ConfigFields.refuse(field, "\"" + destination + "\" (" + type
                    + "): only bind mounts and the kernel file systems isola mounts itself (" + PROVIDED + ") are supported");
        }
    }

    private static Map<String, List<Hook>> hooks(ConfigFields fields) {
        Map<String, List<Hook>> hooks = new LinkedHashMap<>();
        JsonNode all = fields.at("hooks");
        if (all == null) {
            return hooks;
        }
        all.fieldNames().forEachRemaining(kind -> {
            if (!HOOK_KINDS.contains(kind)) {
                return; // left unread: refused by name
            }
            List<Hook> list = new ArrayList<>();
            int index = 0;
            for (JsonNode hook : fields.take("hooks." + kind)) {
                String path = hook.path("path").asText(null);
                if (path == null || !path.startsWith("/")) {
                    throw ConfigFields.refuse("hooks." + kind + "[" + index + "].path", "expected an absolute path");
                }
                list.add(new Hook(path, strings(hook.get("args")), strings(hook.get("env")),
                        hook.hasNonNull("timeout") ? hook.get("timeout").asInt() : null));
                index++;
            }
            hooks.put(kind, list);
        });
        return hooks;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null) {
            node.forEach(item -> values.add(item.asText()));
        }
        return values;
    }
}
